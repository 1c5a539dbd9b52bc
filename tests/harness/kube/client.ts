import { request as httpsRequest } from "node:https";

/** A parsed answer of the API server. */
export interface KubeResponse {
    status: number;
    /** Parsed JSON (or the raw text when the body is not JSON). */
    body: any;
    /** The server's `Warning` headers (PodSecurity "warn" verdicts, deprecations, ...). */
    warnings: string[];
}

/** The smallest Kubernetes object shape the harness needs. */
export interface KubeObject {
    apiVersion: string;
    kind: string;
    metadata: { name?: string; generateName?: string; namespace?: string; [key: string]: unknown };
    [key: string]: unknown;
}

/** Field manager of every write the tests make. */
export const FIELD_MANAGER = "pacstack-tests";

/** A failed request, carrying the server's own message (the `message` of its Status answer). */
export class KubeError extends Error {
    constructor(
        public readonly status: number,
        public readonly body: any,
        what: string,
    ) {
        super(`${what}: HTTP ${status}: ${typeof body === "object" && body?.message ? body.message : JSON.stringify(body)}`);
    }
}

/** Authenticated HTTPS to one API server (bearer token, its CA). */
export class KubeClient {
    /** Every warning the server sent since the test last emptied this list. */
    readonly warnings: string[] = [];
    private readonly resources = new Map<string, { name: string; namespaced: boolean }>();

    constructor(
        readonly url: string,
        readonly token: string,
        readonly caPem: string,
    ) {}

    /** One request; `body` objects are sent as JSON unless `contentType` says otherwise. Never throws on a status. */
    request(method: string, path: string, body?: unknown, contentType = "application/json"): Promise<KubeResponse> {
        const payload = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
        return new Promise((done, fail) => {
            const req = httpsRequest(
                `${this.url}${path}`,
                {
                    method,
                    ca: this.caPem,
                    agent: false,
                    headers: {
                        authorization: `Bearer ${this.token}`,
                        accept: "application/json",
                        ...(payload === undefined ? {} : { "content-type": contentType, "content-length": Buffer.byteLength(payload) }),
                    },
                },
                (res) => {
                    const chunks: Buffer[] = [];
                    res.on("data", (c: Buffer) => chunks.push(c));
                    res.on("end", () => {
                        const text = Buffer.concat(chunks).toString("utf8");
                        let parsed: unknown = text;
                        try {
                            parsed = JSON.parse(text);
                        } catch {
                            /* not JSON: keep the text */
                        }
                        const header = res.headers.warning;
                        const warnings = header === undefined ? [] : Array.isArray(header) ? header : [header];
                        this.warnings.push(...warnings.map((w) => `${method} ${path}: ${w}`));
                        done({ status: res.statusCode ?? 0, body: parsed, warnings });
                    });
                },
            );
            req.once("error", fail);
            req.end(payload);
        });
    }

    /** request() that throws a KubeError with the server's message unless the status is 2xx. */
    async ok(method: string, path: string, body?: unknown, contentType?: string): Promise<any> {
        const response = await this.request(method, path, body, contentType);
        if (response.status < 200 || response.status > 299) throw new KubeError(response.status, response.body, `${method} ${path}`);
        return response.body;
    }

    /** The REST path of an object's collection (or of the object itself when `name` is given), from discovery. */
    async pathOf(apiVersion: string, kind: string, namespace?: string, name?: string): Promise<string> {
        const resource = await this.discover(apiVersion, kind);
        const base = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
        const scope = resource.namespaced ? `/namespaces/${encodeURIComponent(namespace ?? "default")}` : "";
        return `${base}${scope}/${resource.name}${name ? `/${encodeURIComponent(name)}` : ""}`;
    }

    /** Server-side apply with strict field validation: unknown or duplicate fields are refused, not dropped. */
    async apply<T extends KubeObject>(obj: T): Promise<T> {
        const { apiVersion, kind, metadata } = obj;
        if (!metadata.name) throw new Error(`apply needs metadata.name (${kind})`);
        const path = await this.pathOf(apiVersion, kind, metadata.namespace, metadata.name);
        const query = `?fieldManager=${FIELD_MANAGER}&force=true&fieldValidation=Strict`;
        const response = await this.request("PATCH", `${path}${query}`, obj, "application/apply-patch+yaml");
        if (response.status < 200 || response.status > 299) {
            throw new KubeError(response.status, response.body, `apply ${kind} ${metadata.namespace ? `${metadata.namespace}/` : ""}${metadata.name}`);
        }
        return response.body as T;
    }

    /** POST (create) with strict field validation. */
    async create<T extends KubeObject>(obj: T): Promise<T> {
        const path = await this.pathOf(obj.apiVersion, obj.kind, obj.metadata.namespace);
        const response = await this.request("POST", `${path}?fieldManager=${FIELD_MANAGER}&fieldValidation=Strict`, obj);
        if (response.status < 200 || response.status > 299) {
            const name = obj.metadata.name ?? `${obj.metadata.generateName ?? ""}*`;
            throw new KubeError(response.status, response.body, `create ${obj.kind} ${obj.metadata.namespace ? `${obj.metadata.namespace}/` : ""}${name}`);
        }
        return response.body as T;
    }

    /** Deletes an object; a missing one is not an error. */
    async remove(obj: KubeObject): Promise<void> {
        const path = await this.pathOf(obj.apiVersion, obj.kind, obj.metadata.namespace, obj.metadata.name);
        const response = await this.request("DELETE", path);
        if (response.status !== 404 && (response.status < 200 || response.status > 299)) {
            throw new KubeError(response.status, response.body, `delete ${obj.kind} ${obj.metadata.name}`);
        }
    }

    private async discover(apiVersion: string, kind: string): Promise<{ name: string; namespaced: boolean }> {
        const key = `${apiVersion} ${kind}`;
        const known = this.resources.get(key);
        if (known) return known;
        // Not cached: read the group version again (CRDs installed since the last look appear there).
        const list = await this.ok("GET", apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`);
        for (const r of list.resources as { name: string; kind: string; namespaced: boolean }[]) {
            if (!r.name.includes("/")) this.resources.set(`${apiVersion} ${r.kind}`, { name: r.name, namespaced: r.namespaced });
        }
        const found = this.resources.get(key);
        if (!found) throw new Error(`the API server serves no ${kind} in ${apiVersion}`);
        return found;
    }
}
