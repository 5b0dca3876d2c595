// A static single-page app: Koa serves the fallback page, and everything renders in the browser.
export const ssr = false;
export const prerender = false;
