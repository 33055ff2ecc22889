/**
 * Dependencies activities read at call time: built on first use by the loader the composition root
 * gave (so registering the app reads no settings), or installed outright (tests: emulators and
 * Azurite; undefined returns to the loader). `unconfigured` is the error when there is neither.
 */
export function lazyDeps<T>(unconfigured: string): {
  setDefault: (load: () => T) => void;
  set: (deps: T | undefined) => void;
  get: () => T;
} {
  let installed: T | undefined;
  let loadDefault: (() => T) | undefined;
  return {
    setDefault: (load) => {
      loadDefault = load;
    },
    set: (deps) => {
      installed = deps;
    },
    get: () => {
      if (!installed) {
        if (!loadDefault) throw new Error(unconfigured);
        installed = loadDefault();
      }
      return installed;
    },
  };
}
