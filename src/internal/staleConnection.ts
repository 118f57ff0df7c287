/**
 * A stale keep-alive connection: the pool reused a connection that the server had already closed
 * (its keep-alive timeout ran out while the connection sat idle), and the request met the close
 * before any byte of the answer arrived. The server never acted on it, so the request is safe to
 * send again whatever the action (browsers resend in exactly this case); the region is fine.
 *
 * Recognised from the transport's error: undici's `SocketError` "other side closed"
 * (`UND_ERR_SOCKET`, the server's orderly close) on a socket that had already carried an answer
 * (`socket.bytesRead > 0`), raised while waiting for the answer's head. A reset (`ECONNRESET`)
 * is not recognised: the server may have read the request and failed. Any transport can also
 * mark an error with {@link BeforeSend}.
 *
 * @internal
 */

/** A property a transport sets (to `true`) on an error to say nothing of the request was sent. */
export const BeforeSend: unique symbol = Symbol.for("effect-tencentcloud/BeforeSend") as any

const staleReuse = (e: Record<PropertyKey, unknown>): boolean => {
  if (e[BeforeSend] === true) return true
  if (e.code !== "UND_ERR_SOCKET" || typeof e.message !== "string" || !e.message.includes("other side closed")) return false
  const socket = e.socket as { bytesRead?: unknown } | undefined
  return typeof socket?.bytesRead === "number" && socket.bytesRead > 0
}

/**
 * True when a failure to get an answer's head (the raw cause, before sanitising) is a stale
 * keep-alive connection: set `NetworkError.beforeSend` from it.
 */
export const isBeforeSend = (cause: unknown): boolean => {
  let c: unknown = cause
  for (let i = 0; i < 5 && typeof c === "object" && c !== null; i++) {
    if (staleReuse(c as Record<PropertyKey, unknown>)) return true
    c = (c as { cause?: unknown }).cause
  }
  return false
}
