/** Optional keys whose value is undefined, dropped: zod's output meets `exactOptionalPropertyTypes` inputs. */
export type DefinedOnly<T> = { [K in keyof T]: Exclude<T[K], undefined> };

export function definedOnly<T extends object>(value: T): DefinedOnly<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([, entry]) => entry !== undefined),
  ) as DefinedOnly<T>;
}
