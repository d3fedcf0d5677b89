// proxy-from-env ships no types; the one function the tap calls.
declare module 'proxy-from-env' {
  /** The proxy URL for a URL by HTTPS_PROXY/HTTP_PROXY/ALL_PROXY and NO_PROXY; '' for none. */
  export function getProxyForUrl(url: string | URL): string;
}
