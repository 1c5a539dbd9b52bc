/** Label matchers that select one service's series: every label equal to its value. */
export type Matchers = Record<string, string>;

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** A PromQL string literal (double-quoted, with backslash and quote escaped). */
export function promString(value: string): string {
    return JSON.stringify(value);
}

/**
 * `{a="x",b=~"y"}`: the matchers (equality) plus extra raw matchers (already PromQL, e.g. `code=~"5.."`), sorted so
 * the output is stable. A label name that is not PromQL's refuses to render rather than produce a broken rule.
 */
export function selector(matchers: Matchers, ...extra: string[]): string {
    const parts = Object.keys(matchers)
        .sort()
        .map((name) => {
            if (!LABEL_NAME.test(name)) throw new Error(`"${name}" is not a Prometheus label name`);
            return `${name}=${promString(matchers[name])}`;
        });
    return `{${[...parts, ...extra].join(",")}}`;
}

/** A regular expression matching exactly one of the values (each escaped), for `label=~"..."`. */
export function anyOf(values: string[]): string {
    return values.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|");
}

const DURATION = /^([0-9]+(ms|s|m|h|d|w|y))+$/;

/** Checks a Prometheus duration (`5m`, `1h30m`) and returns it. */
export function duration(value: string, what: string): string {
    if (!DURATION.test(value)) throw new Error(`${what}: "${value}" is not a Prometheus duration (e.g. 30s, 5m, 1h)`);
    return value;
}
