/**
 * Node-only extras: the undici transport (the default on Node) and a ready-made layer that
 * wires the client with the default credentials chain and undici.
 *
 * @since 0.1.0
 */
export * as UndiciHttpClient from "./UndiciHttpClient.js"
