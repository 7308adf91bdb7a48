/**
 * A handle for what a suite's beforeAll sets up, usable where the suite is declared: every
 * property read goes to `current()` (methods bound to it), which throws when the set-up has not
 * run or failed, so a test never works on a half-made fixture.
 */
export function suiteHandle<T extends object>(current: () => T | undefined, what: string): T {
  const target = (): T => {
    const value = current();
    if (!value) throw new Error(`${what} is not set up (its beforeAll failed or has not run)`);
    return value;
  };
  return new Proxy({} as T, {
    get(_empty, key) {
      const value = target();
      const property: unknown = Reflect.get(value, key);
      return typeof property === 'function' ? (property.bind(value) as unknown) : property;
    },
  });
}
