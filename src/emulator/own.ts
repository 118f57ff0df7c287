/**
 * Lookups by a name that came in a request (service, action, header, filter or parameter name):
 * only an object's own members, never what every JavaScript object inherits (`constructor`,
 * `toString`, `__proto__`, `valueOf`, `hasOwnProperty`...).
 *
 * @internal
 */

const hasOwn = Object.prototype.hasOwnProperty

/** The own member `key` of `o`, or `undefined` (never an inherited one). */
export const own = <V>(o: Readonly<Record<string, V>>, key: string): V | undefined =>
  hasOwn.call(o, key) ? o[key] : undefined

/** Set `o[key]` as an own data member, even for `__proto__` (which would otherwise set the prototype). */
export const setOwn = (o: Record<string, unknown>, key: string, value: unknown): void => {
  if (key === "__proto__") Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true })
  else o[key] = value
}
