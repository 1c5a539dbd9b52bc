import * as pulumi from "@pulumi/pulumi";

/** Marks every secret the mocks generate, so a test can find one that leaked out of a Secret. */
export const MOCK_SECRET = "MOCK-SECRET";

/** Pulumi's wire marker for secret values inside deserialized inputs. */
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

export interface RecordedResource {
    type: string;
    name: string;
    custom: boolean;
    /** Inputs with secret values still wrapped (see isSecretValue / unwrapSecrets). */
    inputs: Record<string, unknown>;
    /** Resource options the engine would see (not part of MockResourceArgs, so read from the request). */
    retainOnDelete: boolean;
    parentUrn: string;
    /** Name of the provider resource this resource is registered with ("" for components). */
    provider: string;
    /** The URN the Pulumi engine gives this resource (the whole chain of parent types, see urnOf). */
    urn: string;
}

export function isSecretValue(value: unknown): value is { value: unknown } {
    return typeof value === "object" && value !== null && (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

/** Replaces every secret value by `replace(value)`, recursively. */
export function mapSecrets(value: unknown, replace: (secret: unknown) => unknown): unknown {
    if (isSecretValue(value)) {
        return replace(value.value);
    }
    if (Array.isArray(value)) {
        return value.map((v) => mapSecrets(v, replace));
    }
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapSecrets(v, replace)]));
    }
    return value;
}

export const unwrapSecrets = (value: unknown) => mapSecrets(value, (secret) => secret);
/** Every secret leaf becomes "[secret]"; the keys of a secret object stay visible for review. */
export const redactSecrets = (value: unknown) => mapSecrets(value, redactLeaves);

function redactLeaves(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(redactLeaves);
    }
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactLeaves(mapSecrets(v, (inner) => inner))]));
    }
    return "[secret]";
}

interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getRetainondelete(): boolean;
}

/** When every certificate of a plan starts being valid. */
export const MOCK_CERTIFICATE_START = "2026-01-01T00:00:00Z";

/** Plausible outputs for resources whose real provider computes them (keys, certificates, passwords). */
function computedOutputs(args: pulumi.runtime.MockResourceArgs, generation: number): Record<string, unknown> {
    switch (args.type) {
        case "tls:index/privateKey:PrivateKey":
            return {
                privateKeyPem: `-----BEGIN PRIVATE KEY-----\n${MOCK_SECRET}(${args.name})\n-----END PRIVATE KEY-----\n`,
                publicKeyPem: `-----BEGIN PUBLIC KEY-----\n${args.name}\n-----END PUBLIC KEY-----\n`,
            };
        case "tls:index/selfSignedCert:SelfSignedCert":
        case "tls:index/locallySignedCert:LocallySignedCert":
            // A fixed start, so that plans stay deterministic: the end is that start plus the requested validity.
            return {
                certPem: `-----BEGIN CERTIFICATE-----\n${args.name}\n-----END CERTIFICATE-----\n`,
                validityStartTime: MOCK_CERTIFICATE_START,
                validityEndTime: new Date(Date.parse(MOCK_CERTIFICATE_START) + Number(args.inputs.validityPeriodHours) * 3_600_000).toISOString().replace(".000Z", "Z"),
            };
        case "tls:index/certRequest:CertRequest":
            return { certRequestPem: `-----BEGIN CERTIFICATE REQUEST-----\n${args.name}\n-----END CERTIFICATE REQUEST-----\n` };
        case "random:index/randomPassword:RandomPassword": {
            // A later generation stands for a deployment after `pulumi destroy`: the state is gone, new values.
            const value = `${MOCK_SECRET}(${args.name})${generation > 1 ? `#${generation}` : ""}`;
            return { result: value, bcryptHash: `$2a$10$${value}` };
        }
        default:
            return {};
    }
}

/** Records every resource the program registers. */
export class RecordingMocks implements pulumi.runtime.Mocks {
    public readonly resources: RecordedResource[] = [];
    private readonly pendingOptions = new Map<string, { retainOnDelete: boolean; parentUrn: string; urn: string }>();
    /** The mock monitor's URN of each resource (it keeps only the parent's own type) → the engine's qualified type. */
    private readonly qualifiedTypes = new Map<string, string>();

    /** `generation`: how many deployments (each after a destroy) generated their values; 1 is the first. */
    constructor(
        private readonly stack = "stack",
        private readonly project = "project",
        private readonly generation = 1,
    ) {}

    /**
     * The engine's URN: `urn:pulumi:<stack>::<project>::<parent types joined by $>$<type>::<name>`, where the stack
     * itself is no parent. The mock monitor keeps only the parent's last type, so the chain is rebuilt here.
     */
    private urnOf(type: string, name: string, parentMockUrn: string): { urn: string; mockUrn: string } {
        const parentType = parentMockUrn ? this.qualifiedTypes.get(parentMockUrn) : undefined;
        const qualified = parentType ? `${parentType}$${type}` : type;
        const mockType = parentMockUrn ? `${parentMockUrn.split("::")[2].split("$").pop()}$${type}` : type;
        const prefix = `urn:pulumi:${this.stack}::${this.project}::`;
        this.qualifiedTypes.set(`${prefix}${mockType}::${name}`, qualified);
        return { urn: `${prefix}${qualified}::${name}`, mockUrn: `${prefix}${mockType}::${name}` };
    }

    /**
     * Wraps the mock monitor so each registration's options are known to newResource. Pulumi's
     * MockResourceArgs leave out retainOnDelete; the gRPC request carries it.
     */
    captureOptions(monitor: { registerResource: (req: RegisterRequest, callback: unknown) => unknown }) {
        const register = monitor.registerResource.bind(monitor);
        monitor.registerResource = (req: RegisterRequest, callback: unknown) => {
            if (typeof req.getRetainondelete !== "function" || typeof req.getParent !== "function") {
                throw new Error("Pulumi's RegisterResourceRequest changed: update tests/harness/mocks.ts");
            }
            const { urn } = this.urnOf(req.getType(), req.getName(), req.getParent());
            this.pendingOptions.set(`${req.getType()}::${req.getName()}`, { retainOnDelete: req.getRetainondelete(), parentUrn: req.getParent(), urn });
            return register(req, callback);
        };
    }

    newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, unknown> } {
        const options = this.pendingOptions.get(`${args.type}::${args.name}`) ?? { retainOnDelete: false, parentUrn: "", urn: "" };
        // A provider reference is "<provider urn>::<provider id>"; the urn ends with the provider's name.
        const provider = args.provider ? (args.provider.split("::").at(-2) ?? "") : "";
        this.resources.push({ type: args.type, name: args.name, custom: args.custom ?? false, inputs: args.inputs, provider, ...options });
        return { id: args.custom ? `${args.name}-id` : undefined, state: { ...args.inputs, ...computedOutputs(args, this.generation) } };
    }

    call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
        return args.inputs;
    }
}
