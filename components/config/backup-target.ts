import { X509Certificate } from "node:crypto";
import { ImageRef, parseImage } from "./image";
import { showSetting } from "./show";

/** Where the database backups go (README, "Backup and restore"). */
export const BACKUP_TARGETS = ["volume", "s3"] as const;
export type BackupTargetKind = (typeof BACKUP_TARGETS)[number];

/** A bucket of an S3-compatible object store, as the uploader (rclone's s3 backend) is configured. */
export interface S3Target {
    /** https://host[:port] (http:// only when allowHttp was set), no path. */
    endpoint: string;
    bucket: string;
    /** Folder inside the bucket, without leading or trailing slash; "" for the bucket's root. */
    prefix: string;
    region: string;
    /** Path-style addressing (https://host/bucket) rather than virtual-hosted (https://bucket.host). */
    pathStyle: boolean;
    /** Secret: stored only in a Kubernetes Secret. */
    accessKeyId: string;
    /** Secret: stored only in a Kubernetes Secret. */
    secretAccessKey: string;
    /** PEM certificates the endpoint's certificate is verified against instead of the image's roots. */
    caBundle?: string;
    /** The uploader image (rclone). */
    image: ImageRef;
}

export type BackupTarget = { kind: "volume" } | ({ kind: "s3" } & S3Target);

/** The uploader image pacstack pins: tests/tools/rclone/go.mod builds rclone at this tag for the tests. */
export const DEFAULT_RCLONE_IMAGE = "docker.io/rclone/rclone:1.76.0";

const S3_FIELDS = ["endpoint", "bucket", "prefix", "region", "pathStyle", "accessKeyId", "secretAccessKey", "caBundle", "allowHttp", "image"] as const;
/** S3's bucket naming rules: 3-63 lowercase letters, digits, dots and hyphens, starting and ending alphanumeric. */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const PREFIX_SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;
const REGION = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** Access keys: printable ASCII without spaces (they travel in an HTTP header and an environment variable). */
const KEY_TEXT = /^[\x21-\x7e]+$/;



/**
 * Reads `backup.target` and `backup.s3` (already type-checked: a string and an object). Every problem names the key
 * as written, its value (never a credential's) and what is allowed.
 */
export function readBackupTarget(target: string | undefined, s3: Record<string, unknown> | undefined, names: { target: string; s3: string }, problems: string[]): BackupTarget | undefined {
    if (target === undefined || s3 === undefined) return undefined;
    if (!(BACKUP_TARGETS as readonly string[]).includes(target)) {
        problems.push(`pacstack:${names.target} = ${showSetting(target)}: must be one of ${BACKUP_TARGETS.join(", ")}`);
        return undefined;
    }
    if (target === "volume") {
        if (Object.keys(s3).length > 0) {
            problems.push(`pacstack:${names.s3} is set but pacstack:${names.target} = "volume": set ${names.target} to s3 to use the bucket, or remove ${names.s3}`);
            return undefined;
        }
        return { kind: "volume" };
    }
    return readS3(s3, names.s3, problems);
}

function readS3(s3: Record<string, unknown>, at: string, problems: string[]): BackupTarget | undefined {
    const before = problems.length;
    const bad = (field: string, allowed: string, secret = false) => problems.push(`pacstack:${at}.${field} = ${secret ? '"[secret]"' : showSetting(s3[field])}: ${allowed}`);
    const missing = (field: string, what: string) => problems.push(`pacstack:${at}.${field} is missing: required with backup.target s3 (${what})`);
    for (const field of Object.keys(s3).filter((f) => !(S3_FIELDS as readonly string[]).includes(f))) {
        // The value is not shown: a misspelled secretAccessKey would otherwise reach the terminal.
        problems.push(`pacstack:${at}.${field}: unknown field; allowed fields are ${S3_FIELDS.join(", ")}`);
    }
    const text = (field: string, fallback?: string): string | undefined => {
        const value = s3[field] ?? fallback;
        if (value === undefined) return undefined;
        if (typeof value !== "string") {
            bad(field, "must be a string", field === "secretAccessKey" || field === "accessKeyId");
            return undefined;
        }
        return value;
    };
    const flag = (field: string, fallback: boolean): boolean | undefined => {
        const value = s3[field] === "true" ? true : s3[field] === "false" ? false : (s3[field] ?? fallback);
        if (typeof value !== "boolean") {
            bad(field, "must be true or false");
            return undefined;
        }
        return value;
    };
    const allowHttp = flag("allowHttp", false);
    const endpoint = text("endpoint");
    let endpointUrl: URL | undefined;
    if (endpoint === undefined) {
        missing("endpoint", "the store's URL, e.g. https://s3.eu-central-1.amazonaws.com or https://minio.example.org:9000");
    } else {
        endpointUrl = URL.canParse(endpoint) ? new URL(endpoint) : undefined;
        if (!endpointUrl || !["https:", "http:"].includes(endpointUrl.protocol) || endpointUrl.hostname === "") {
            bad("endpoint", "must be an https:// URL of the store, e.g. https://s3.eu-central-1.amazonaws.com");
        } else if (endpointUrl.username !== "" || endpointUrl.password !== "") {
            bad("endpoint", "must not carry credentials: set accessKeyId and secretAccessKey (with --secret) instead");
        } else if (endpointUrl.pathname !== "/" || endpointUrl.search !== "" || endpointUrl.hash !== "") {
            bad("endpoint", "must be the store's base URL without a path, query or fragment (the bucket is set in bucket)");
        } else if (endpointUrl.protocol === "http:" && allowHttp !== true) {
            bad("endpoint", `is plain http: credentials and patient data would cross the network unencrypted; use https, or set ${at}.allowHttp to true for a store reached only inside a trusted network`);
        }
    }
    const bucket = text("bucket");
    if (bucket === undefined) missing("bucket", "the bucket's name, which must exist");
    else if (!BUCKET.test(bucket) || bucket.includes("..") || /^[0-9.]+$/.test(bucket)) {
        bad("bucket", "must be an S3 bucket name: 3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit");
    }
    const prefix = text("prefix", "");
    if (prefix !== undefined && prefix !== "" && (prefix.length > 200 || !prefix.split("/").every((segment) => PREFIX_SEGMENT.test(segment) && segment !== "." && segment !== ".."))) {
        bad("prefix", "must be empty or a folder path like backups/site-a: segments of letters, digits, . _ -, separated by /, no leading or trailing /, at most 200 characters");
    }
    const region = text("region", "us-east-1");
    if (region !== undefined && !REGION.test(region)) bad("region", "must be a region name like us-east-1 or eu-central-1 (lowercase letters, digits, hyphens)");
    const pathStyle = flag("pathStyle", true);
    const credential = (field: "accessKeyId" | "secretAccessKey", max: number) => {
        const value = text(field);
        if (value === undefined) missing(field, "set it with pulumi config set --secret --path");
        else if (!KEY_TEXT.test(value) || value.length > max) bad(field, `must be 1-${max} printable characters without spaces`, true);
        return value;
    };
    const accessKeyId = credential("accessKeyId", 128);
    const secretAccessKey = credential("secretAccessKey", 256);
    const caBundle = text("caBundle", "");
    if (caBundle !== undefined && caBundle !== "") {
        if (!caBundleOk(caBundle)) bad("caBundle", "must be PEM certificates (-----BEGIN CERTIFICATE----- ...), the CA that signed the endpoint's certificate");
        else if (endpointUrl?.protocol === "http:") bad("caBundle", "applies to an https:// endpoint only");
    }
    const imageText = text("image", DEFAULT_RCLONE_IMAGE);
    const image = imageText === undefined ? undefined : parseImage(imageText);
    if (imageText !== undefined && !image) bad("image", "must be an image reference pinned by tag or digest, e.g. docker.io/rclone/rclone:1.76.0 (latest is refused)");
    if (problems.length > before) return undefined;
    return {
        kind: "s3",
        endpoint: endpointUrl!.origin,
        bucket: bucket!,
        prefix: prefix!,
        region: region!,
        pathStyle: pathStyle!,
        accessKeyId: accessKeyId!,
        secretAccessKey: secretAccessKey!,
        ...(caBundle ? { caBundle: caBundle.trim() + "\n" } : {}),
        image: image!,
    };
}

function caBundleOk(pem: string): boolean {
    const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    if (blocks.length === 0 || pem.replace(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g, "").trim() !== "") return false;
    try {
        blocks.forEach((block) => new X509Certificate(block));
        return true;
    } catch {
        return false;
    }
}

