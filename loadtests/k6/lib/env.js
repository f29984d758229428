// Settings from the environment (`k6 run -e NAME=value` or exported variables), each
// checked: a value that is not what the script can use stops it in init with a message
// naming the variable, rather than running a test other than the one asked for.

/** The variable's text, or `fallback` when it is unset or empty. */
export function envText(name, fallback) {
    const value = __ENV[name];
    return value === undefined || value === '' ? fallback : String(value).trim();
}

/** A whole number in [min, max]; `fallback` when unset. */
export function envInt(name, fallback, min, max) {
    const text = envText(name, String(fallback));
    if (!/^\d+$/.test(text)) {
        throw new Error(`${name}=${JSON.stringify(text)}: expected a whole number from ${min} to ${max}`);
    }
    const value = Number(text);
    if (value < min || value > max) {
        throw new Error(`${name}=${value}: must be from ${min} to ${max}`);
    }
    return value;
}

/**
 * A duration in whole seconds from `10`, `10s`, `2m` or `1m30s`, at least 1 s and at
 * most `maxSecs`; `fallback` (same forms) when unset.
 */
export function envSeconds(name, fallback, maxSecs) {
    const text = envText(name, String(fallback));
    const match = /^(?:(\d+)m)?(?:(\d+)s?)?$/.exec(text);
    if (text === '' || match === null || (match[1] === undefined && match[2] === undefined)) {
        throw new Error(`${name}=${JSON.stringify(text)}: expected a duration such as 30s, 2m or 1m30s`);
    }
    const secs = Number(match[1] || 0) * 60 + Number(match[2] || 0);
    if (secs < 1 || secs > maxSecs) {
        throw new Error(`${name}=${text}: must be from 1 s to ${maxSecs} s (a load test is bounded)`);
    }
    return secs;
}

/**
 * An absolute path for a file named by a variable: a relative one is taken from the
 * directory k6 was started in (k6 itself would read it relative to the script).
 */
export function envPath(name) {
    const path = envText(name, '');
    if (path === '') {
        throw new Error(`${name} is not set: give the file, e.g. -e ${name}=tokens.txt`);
    }
    if (path.startsWith('/')) {
        return path;
    }
    const cwd = __ENV.PWD;
    if (!cwd || !cwd.startsWith('/')) {
        throw new Error(`${name}=${path}: give an absolute path (the current directory is not known)`);
    }
    return `${cwd.replace(/\/+$/, '')}/${path}`;
}
