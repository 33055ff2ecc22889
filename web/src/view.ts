/** A page of the console: renders into root, returns what stops its timers when the route changes. */
export type View = (root: HTMLElement, params: URLSearchParams, path: string[]) => () => void;
