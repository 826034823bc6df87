/**
 * Hash routes of the app: `#/<view>?<view state>`. Pure functions, unit-tested in node.
 */

/** The views of the app, in navigation order. */
export const viewNames = ['lab', 'audit', 'playback', 'sizer', 'segments', 'replay', 'export', 'notebooks', 'about'] as const;

/** One of the app's views. */
export type ViewName = (typeof viewNames)[number];

/** The view a URL shows, with the query string that holds its state. */
export interface Route {
  view: ViewName;
  params: URLSearchParams;
  /** True when the hash named no known view (the default view is shown). */
  fallback: boolean;
}

/** The view shown for an empty or unknown hash. */
export const defaultView: ViewName = 'lab';

/** Parses `location.hash`, e.g. `#/sizer?baseline=0.1` → { view: 'sizer', params: baseline=0.1 }. */
export function parseRoute(hash: string): Route {
  const body = hash.replace(/^#\/?/, '');
  const queryStart = body.indexOf('?');
  const path = queryStart === -1 ? body : body.slice(0, queryStart);
  const query = queryStart === -1 ? '' : body.slice(queryStart + 1);
  const known = (viewNames as readonly string[]).includes(path);
  return {
    view: known ? (path as ViewName) : defaultView,
    params: new URLSearchParams(known ? query : ''),
    fallback: !known,
  };
}

/** The hash for a view and its state: `#/segments?alpha=0.05`. */
export function formatRoute(view: ViewName, params?: URLSearchParams): string {
  const query = params?.toString() ?? '';
  return `#/${view}${query ? `?${query}` : ''}`;
}
