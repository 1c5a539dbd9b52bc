import { createHash, randomBytes } from "node:crypto";

/**
 * A browser's authorization-code sign-in against Keycloak's real login form, over plain HTTP requests: the
 * authorization request (PKCE S256), the HTML form, the posted credentials, the redirect with the code, the code
 * redeemed at the token endpoint. Cookies are kept per flow, as a browser would.
 */

export interface LoginClient {
    /** Keycloak's base URL, e.g. http://127.0.0.1:PORT/auth */
    keycloakUrl: string;
    realm: string;
    clientId: string;
    clientSecret: string;
    redirectUri: string;
}

export interface LoginAttempt {
    /** 200 with the form again (a refused login) or 302 to the redirect URI (signed in). */
    status: number;
    /** The page's text (for a refused login: its error message). */
    page: string;
    /** The authorization code when Keycloak redirected to the client. */
    code?: string;
    /** Where Keycloak redirected (Location), if it did. */
    location?: string;
}

export const decodeJwt = (token: string): Record<string, unknown> => JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString("utf8"));

class Cookies {
    private readonly jar = new Map<string, string>();
    take(answer: Response): void {
        for (const line of answer.headers.getSetCookie()) {
            const [pair] = line.split(";");
            const at = pair.indexOf("=");
            this.jar.set(pair.slice(0, at).trim(), pair.slice(at + 1));
        }
    }
    header(): string {
        return [...this.jar].map(([k, v]) => `${k}=${v}`).join("; ");
    }
}

const decodeHtml = (text: string) => text.replace(/&amp;/g, "&").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">");

/** The authorization request's URL; `pkce: false` leaves the code challenge out, "plain" asks for the plain method. */
export function authorizationUrl(client: LoginClient, state: string, pkce: { challenge: string; method: string } | false): string {
    const params = new URLSearchParams({ client_id: client.clientId, response_type: "code", redirect_uri: client.redirectUri, scope: "openid", state });
    if (pkce) {
        params.set("code_challenge", pkce.challenge);
        params.set("code_challenge_method", pkce.method);
    }
    return `${client.keycloakUrl}/realms/${client.realm}/protocol/openid-connect/auth?${params}`;
}

/** One sign-in flow: open the login form, then try credentials (several times, like a person retyping). */
export class LoginFlow {
    private readonly cookies = new Cookies();
    private readonly verifier = randomBytes(32).toString("base64url");
    private readonly state = randomBytes(8).toString("hex");
    private formAction?: string;

    constructor(private readonly client: LoginClient) {}

    /** Opens the login form; returns the answer's status and page (or the redirect when Keycloak refuses at once). */
    async open(pkce: "S256" | "plain" | false = "S256"): Promise<LoginAttempt> {
        const challenge = pkce === "S256" ? createHash("sha256").update(this.verifier).digest("base64url") : this.verifier;
        const answer = await fetch(authorizationUrl(this.client, this.state, pkce ? { challenge, method: pkce } : false), { redirect: "manual" });
        return this.read(answer);
    }

    /** Posts username and password to the form last shown. */
    async submit(username: string, password: string): Promise<LoginAttempt> {
        if (!this.formAction) throw new Error("no login form is open");
        const answer = await fetch(this.formAction, {
            method: "POST",
            redirect: "manual",
            headers: { Cookie: this.cookies.header(), "Content-Type": "application/x-www-form-urlencoded" },
            body: new URLSearchParams({ username, password, credentialId: "" }),
        });
        return this.read(answer);
    }

    /** Redeems a code at the token endpoint with the client secret and this flow's PKCE verifier ("" for none). */
    async redeem(code: string, verifier = this.verifier): Promise<{ status: number; body: Record<string, unknown> }> {
        const answer = await fetch(`${this.client.keycloakUrl}/realms/${this.client.realm}/protocol/openid-connect/token`, {
            method: "POST",
            body: new URLSearchParams({
                grant_type: "authorization_code",
                code,
                redirect_uri: this.client.redirectUri,
                client_id: this.client.clientId,
                // A public client has no secret; a flow opened without PKCE has no verifier.
                ...(this.client.clientSecret ? { client_secret: this.client.clientSecret } : {}),
                ...(verifier ? { code_verifier: verifier } : {}),
            }),
        });
        return { status: answer.status, body: (await answer.json()) as Record<string, unknown> };
    }

    private async read(answer: Response): Promise<LoginAttempt> {
        this.cookies.take(answer);
        const html = await answer.text();
        const location = answer.headers.get("location") ?? undefined;
        const action = /<form[^>]*id="kc-form-login"[^>]*action="([^"]+)"/.exec(html) ?? /<form[^>]*action="([^"]+)"[^>]*id="kc-form-login"/.exec(html);
        if (action) this.formAction = decodeHtml(action[1]);
        const code = location && location.startsWith(this.client.redirectUri) ? new URL(location).searchParams.get("code") ?? undefined : undefined;
        const page = decodeHtml(html.replace(/<script[\s\S]*?<\/script>/g, "").replace(/<[^>]+>/g, " ").replace(/\s+/g, " ")).trim();
        return { status: answer.status, page, code, location };
    }
}

/** A client-credentials token (the scripts' grant). */
export async function clientCredentialsToken(keycloakUrl: string, realm: string, clientId: string, clientSecret: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const answer = await fetch(`${keycloakUrl}/realms/${realm}/protocol/openid-connect/token`, {
        method: "POST",
        body: new URLSearchParams({ grant_type: "client_credentials", client_id: clientId, client_secret: clientSecret }),
    });
    return { status: answer.status, body: (await answer.json()) as Record<string, unknown> };
}
