// The hub under test: BASE_URL (default http://127.0.0.1:8080), which must be on this
// machine. Load is only ever sent to a loopback address: 127.0.0.0/8, localhost or
// [::1]; any other host stops the script in init.

const DEFAULT_BASE_URL = 'http://127.0.0.1:8080';

/** Whether `host` (as written in a URL, IPv6 in brackets) is a loopback address. */
export function isLoopback(host) {
    const name = host.toLowerCase();
    if (name === 'localhost' || name === '[::1]') {
        return true;
    }
    const octets = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(name);
    return octets !== null && octets[1] === '127' && octets.slice(2).every((o) => Number(o) <= 255);
}

/** `text` as `{ baseUrl, host }`, or an error saying why it is refused. */
export function parseBaseUrl(text) {
    const match = /^(https?):\/\/([^/:?#@[\]]+|\[[^\]/?#@]+\])(?::(\d{1,5}))?\/*$/.exec(text);
    if (match === null) {
        throw new Error(
            `BASE_URL=${JSON.stringify(text)}: expected http://HOST[:PORT] with no path, ` +
                `e.g. ${DEFAULT_BASE_URL}`,
        );
    }
    const [, scheme, host, port] = match;
    if (!isLoopback(host)) {
        throw new Error(
            `BASE_URL=${text}: ${host} is not a loopback address; ` +
                'load tests target this machine only (127.0.0.0/8, localhost, [::1])',
        );
    }
    if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) {
        throw new Error(`BASE_URL=${text}: port ${port} is out of range`);
    }
    return { baseUrl: `${scheme}://${host}${port === undefined ? '' : `:${port}`}`, host };
}

/** The checked base URL from BASE_URL, without a trailing slash. */
export function baseUrl() {
    const text = __ENV.BASE_URL === undefined || __ENV.BASE_URL === '' ? DEFAULT_BASE_URL : __ENV.BASE_URL;
    return parseBaseUrl(String(text).trim()).baseUrl;
}
