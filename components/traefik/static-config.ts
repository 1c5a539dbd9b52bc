/**
 * Traefik's static configuration as the traefik chart (41.3.0) hands it to the container: the command-line arguments
 * its pod template (templates/_podtemplate.tpl) derives from the values pacstack renders (renderTraefikValues),
 * merged over the chart's own defaults (values.yaml) for the keys pacstack leaves alone. Written for pacstack from
 * that template's rules; it knows only the value keys pacstack uses and refuses any other, so a new key in the
 * values cannot slip past the tests that run Traefik with these arguments.
 */

type Values = Record<string, any>;

/** The chart's defaults (values.yaml of 41.3.0) for every key this renderer reads. */
export const TRAEFIK_CHART_DEFAULTS: Values = {
    accessLog: { enabled: false, fields: { defaultMode: "keep", headers: { defaultMode: "drop" }, queryParameters: {} } },
    api: { dashboard: true, basePath: "" },
    core: { defaultRuleSyntax: "", strictTLSOptions: false },
    global: { checkNewVersion: true, sendAnonymousUsage: false, notAppendXForwardedFor: false },
    log: { level: "INFO" },
    metrics: { addInternals: false, prometheus: { entryPoint: "metrics" } },
    ports: {
        traefik: { port: 8080, expose: { default: false }, exposedPort: 8080, protocol: "TCP" },
        web: { port: 8000, expose: { default: true }, exposedPort: 80, protocol: "TCP" },
        websecure: { port: 8443, expose: { default: true }, exposedPort: 443, protocol: "TCP", http: { tls: { enabled: true } } },
        metrics: { port: 9100, expose: { default: false }, exposedPort: 9100, protocol: "TCP" },
    },
    providers: {
        kubernetesCRD: { enabled: true, allowCrossNamespace: false, allowEmptyServices: true, namespaces: [] },
        kubernetesIngress: { enabled: true },
    },
    rbac: { enabled: true, namespaced: false },
};

/** Value keys that shape the Kubernetes objects around Traefik but none of its arguments. */
const KEYS_WITHOUT_ARGUMENTS = [
    "deployment",
    "image",
    "ingressClass",
    "ingressRoute",
    "podDisruptionBudget",
    "podSecurityContext",
    "resources",
    "securityContext",
    "service",
];
/** Value keys that become arguments, with the fields of each this renderer translates. */
const KEYS_WITH_ARGUMENTS: Record<string, string[]> = {
    accessLog: ["enabled", "format", "fields"],
    api: ["dashboard"],
    core: ["defaultRuleSyntax", "strictTLSOptions"],
    global: ["checkNewVersion", "sendAnonymousUsage", "notAppendXForwardedFor"],
    log: ["format", "level"],
    metrics: ["addInternals", "prometheus"],
    ports: [],
    providers: ["kubernetesCRD", "kubernetesIngress"],
    rbac: ["enabled", "namespaced"],
};
/** Fields of one entry of `ports` this renderer translates (the others only shape the Service and the pod). */
const PORT_FIELDS = ["port", "protocol", "expose", "exposedPort", "nodePort", "http", "transport"];

function isObject(value: unknown): value is Values {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Helm's merge of user values over chart defaults: objects merge key by key, everything else replaces. */
export function mergeChartValues(defaults: Values, values: Values): Values {
    const merged: Values = { ...defaults };
    for (const [key, value] of Object.entries(values)) {
        merged[key] = isObject(value) && isObject(defaults[key]) ? mergeChartValues(defaults[key], value) : value;
    }
    return merged;
}

/** Go template truthiness ("with"/"if"): false, 0, "", nil and empty collections are false. */
function truthy(value: unknown): boolean {
    if (Array.isArray(value)) return value.length > 0;
    if (isObject(value)) return Object.keys(value).length > 0;
    return value !== undefined && value !== null && value !== false && value !== 0 && value !== "";
}

/** The chart's yaml2CommandLineArgs: one `--path.key=value` per leaf, keys sorted, empty strings skipped. */
function yamlToArguments(path: string, content: Values): string[] {
    return Object.keys(content)
        .sort()
        .flatMap((key) => {
            const value = content[key];
            if (isObject(value)) return yamlToArguments(`${path}.${key}`, value);
            if (typeof value === "boolean" || typeof value === "number") return [`--${path}.${key}=${value}`];
            if (!truthy(value)) return [];
            return [`--${path}.${key}=${Array.isArray(value) ? value.join(",") : value}`];
        });
}

function refuseUnknown(values: Values): void {
    for (const key of Object.keys(values)) {
        if (!(key in KEYS_WITH_ARGUMENTS) && !KEYS_WITHOUT_ARGUMENTS.includes(key)) {
            throw new Error(`renderTraefikArguments: values.${key} is not translated; add the chart's rule for it before using it`);
        }
        const fields = KEYS_WITH_ARGUMENTS[key];
        for (const field of key === "ports" || !fields ? [] : Object.keys(values[key] ?? {})) {
            if (!fields.includes(field)) throw new Error(`renderTraefikArguments: values.${key}.${field} is not translated`);
        }
    }
    for (const [name, port] of Object.entries((values.ports ?? {}) as Values)) {
        for (const field of Object.keys(port ?? {})) {
            if (!PORT_FIELDS.includes(field)) throw new Error(`renderTraefikArguments: values.ports.${name}.${field} is not translated`);
        }
    }
}

function entrypointArguments(ports: Values): { addresses: string[]; options: string[] } {
    const names = Object.keys(ports)
        .filter((name) => truthy(ports[name]))
        .sort();
    const addresses = names.map((name) => `--entryPoints.${name}.address=:${ports[name].port}/${String(ports[name].protocol ?? "TCP").toLowerCase()}`);
    const options = names.flatMap((name) => {
        const config = ports[name];
        const prefix = `--entryPoints.${name}`;
        const out: string[] = [];
        const redirect = config.http?.redirections?.entryPoint;
        if (truthy(redirect)) {
            const target = ports[redirect.to];
            if (!target) throw new Error(`ERROR: Cannot redirect ${name} to ${redirect.to}: entryPoint not found`);
            out.push(`${prefix}.http.redirections.entryPoint.to=:${target.exposedPort}`);
            if (truthy(redirect.scheme)) out.push(`${prefix}.http.redirections.entryPoint.scheme=${redirect.scheme}`);
            if (truthy(redirect.priority)) out.push(`${prefix}.http.redirections.entryPoint.priority=${redirect.priority}`);
            if ("permanent" in redirect) out.push(`${prefix}.http.redirections.entryPoint.permanent=${redirect.permanent}`);
        }
        if (config.http?.tls?.enabled) {
            out.push(`${prefix}.http.tls=true`);
            if (truthy(config.http.tls.options)) out.push(`${prefix}.http.tls.options=${config.http.tls.options}`);
        }
        const timeouts = config.transport?.respondingTimeouts ?? {};
        for (const timeout of ["readTimeout", "writeTimeout", "idleTimeout"]) {
            if (timeouts[timeout] !== undefined && timeouts[timeout] !== null && String(timeouts[timeout]) !== "") {
                out.push(`${prefix}.transport.respondingTimeouts.${timeout}=${timeouts[timeout]}`);
            }
        }
        return out;
    });
    return { addresses, options };
}

/** The arguments the chart gives the Traefik container for `values` (pacstack's), in the template's order. */
export function renderTraefikArguments(values: Values, releaseNamespace: string): string[] {
    refuseUnknown(values);
    const v = mergeChartValues(TRAEFIK_CHART_DEFAULTS, values);
    const args: string[] = [];
    if (!v.global.checkNewVersion) args.push("--global.checkNewVersion=false");
    if (v.global.sendAnonymousUsage) args.push("--global.sendAnonymousUsage");
    if (v.global.notAppendXForwardedFor) args.push("--global.notAppendXForwardedFor=true");
    const entrypoints = entrypointArguments(v.ports);
    args.push(...entrypoints.addresses);
    const api = { ...v.api };
    if (api.basePath === "") delete api.basePath;
    args.push(...yamlToArguments("api", api));
    args.push("--ping=true");
    if (truthy(v.core.defaultRuleSyntax)) args.push(`--core.defaultRuleSyntax=${v.core.defaultRuleSyntax}`);
    if (v.core.strictTLSOptions) args.push("--core.strictTLSOptions=true");
    if (v.metrics.addInternals) args.push("--metrics.addinternals");
    if (truthy(v.metrics.prometheus)) {
        args.push("--metrics.prometheus=true", `--metrics.prometheus.entrypoint=${v.metrics.prometheus.entryPoint}`);
    }
    const crd = v.providers.kubernetesCRD;
    if (crd.enabled) {
        args.push("--providers.kubernetescrd");
        if (crd.allowCrossNamespace) args.push("--providers.kubernetescrd.allowCrossNamespace=true");
        if (crd.allowEmptyServices !== undefined && crd.allowEmptyServices !== null) args.push(`--providers.kubernetescrd.allowEmptyServices=${crd.allowEmptyServices}`);
        if (v.rbac.namespaced) args.push("--providers.kubernetescrd.disableClusterScopeResources=true");
    }
    if (v.providers.kubernetesIngress.enabled) {
        throw new Error("renderTraefikArguments: the Ingress provider is not translated (pacstack turns it off)");
    }
    if (crd.enabled && (truthy(crd.namespaces) || (v.rbac.enabled && v.rbac.namespaced))) {
        args.push(`--providers.kubernetescrd.namespaces=${truthy(crd.namespaces) ? crd.namespaces.join(",") : releaseNamespace}`);
    }
    args.push(...entrypoints.options);
    if (truthy(v.log.format)) args.push(`--log.format=${v.log.format}`);
    if (truthy(v.log.level)) args.push(`--log.level=${String(v.log.level).toUpperCase()}`);
    const accessLog = v.accessLog;
    if (accessLog.enabled) {
        args.push("--accesslog=true");
        if (truthy(accessLog.format)) args.push(`--accesslog.format=${accessLog.format}`);
        args.push(`--accesslog.fields.defaultmode=${accessLog.fields.defaultMode}`);
        for (const [field, action] of Object.entries((accessLog.fields.names ?? {}) as Values).sort()) args.push(`--accesslog.fields.names.${field}=${action}`);
        args.push(`--accesslog.fields.headers.defaultmode=${accessLog.fields.headers.defaultMode}`);
        for (const [header, action] of Object.entries((accessLog.fields.headers.names ?? {}) as Values).sort()) {
            args.push(`--accesslog.fields.headers.names.${header}=${action}`);
        }
        if (truthy(accessLog.fields.queryParameters?.defaultMode)) {
            args.push(`--accesslog.fields.queryparameters.defaultmode=${accessLog.fields.queryParameters.defaultMode}`);
        }
    }
    return args;
}
