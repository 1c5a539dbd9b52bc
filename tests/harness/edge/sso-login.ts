/**
 * A browser's sign-in through the edge over plain HTTPS requests: the page's redirect to Keycloak, Keycloak's real
 * login form, the posted credentials, the callback into oauth2-proxy. Cookies are kept in a jar, as a browser would.
 */
import { EdgeAnswer, EdgeRequest, EdgeTarget, edgeRequest } from "./client";

export class CookieJar {
    readonly cookies = new Map<string, string>();
    take(answer: EdgeAnswer): void {
        for (const line of answer.headers["set-cookie"] ?? []) {
            const [pair] = line.split(";");
            const at = pair.indexOf("=");
            const [name, value] = [pair.slice(0, at).trim(), pair.slice(at + 1)];
            // Max-Age=0 or an expiry in the past removes the cookie.
            if (/max-age=0|expires=thu, 01 jan 1970/i.test(line) || value === "") this.cookies.delete(name);
            else this.cookies.set(name, value);
        }
    }
    header(): string {
        return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
    }
    copy(): CookieJar {
        const jar = new CookieJar();
        for (const [name, value] of this.cookies) jar.cookies.set(name, value);
        return jar;
    }
}

/** A request with the jar's cookies, whose answer's cookies go back into the jar. */
export async function withJar(target: EdgeTarget, jar: CookieJar, path: string, options: EdgeRequest = {}): Promise<EdgeAnswer> {
    const cookie = jar.header();
    const answer = await edgeRequest(target, path, { ...options, headers: { Accept: "text/html", ...(cookie ? { Cookie: cookie } : {}), ...options.headers } });
    jar.take(answer);
    return answer;
}

/** The path and query of a Location on the edge's own host (it must name that host). */
export function sameHostPath(target: EdgeTarget, location: string): string {
    const url = new URL(location, `https://${target.domain}:${target.httpsPort}/`);
    if (url.host !== `${target.domain}:${target.httpsPort}`) throw new Error(`redirected to another host: ${location}`);
    return `${url.pathname}${url.search}`;
}

const decodeHtml = (text: string) => text.replace(/&amp;/g, "&").replace(/&quot;/g, '"').replace(/&#39;/g, "'");

export interface SignInResult {
    jar: CookieJar;
    /** The answer to the posted form: 302 to the callback when signed in, 200 with the form again when refused. */
    formAnswer: EdgeAnswer;
    /** The login page's text after a refused login. */
    page: string;
    signedIn: boolean;
}

/** Opens `path` without a session, follows the redirect to Keycloak's login page, posts the credentials. */
export async function signIn(target: EdgeTarget, credentials: { username: string; password: string }, path = "/"): Promise<SignInResult> {
    const jar = new CookieJar();
    const start = await withJar(target, jar, path);
    if (start.status !== 302 || !start.headers.location) throw new Error(`GET ${path}: ${start.status}, no redirect to the sign-in page`);
    const loginPage = await withJar(target, jar, sameHostPath(target, start.headers.location));
    const html = loginPage.body.toString();
    const action = /<form[^>]*id="kc-form-login"[^>]*action="([^"]+)"/.exec(html)?.[1];
    if (loginPage.status !== 200 || !action) throw new Error(`Keycloak's login page: ${loginPage.status}, no login form`);
    const form = new URLSearchParams({ username: credentials.username, password: credentials.password, credentialId: "" }).toString();
    const formAnswer = await withJar(target, jar, sameHostPath(target, decodeHtml(action)), {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: form,
    });
    const callback = formAnswer.headers.location;
    if (formAnswer.status !== 302 || !callback) return { jar, formAnswer, page: formAnswer.body.toString(), signedIn: false };
    const done = await withJar(target, jar, sameHostPath(target, callback));
    if (done.status !== 302) throw new Error(`the callback answered ${done.status}: ${done.body.toString().slice(0, 300)}`);
    return { jar, formAnswer, page: "", signedIn: true };
}
