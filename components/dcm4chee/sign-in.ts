/**
 * dcm4chee under single sign-on: which variant of the archive image runs, and the environment that points its UI
 * at pacstack's Keycloak realm. Pure functions; the archive StatefulSet takes their output.
 *
 * dcm4chee publishes three archive images per release: plain, `-secure-ui` (the UI signs in at Keycloak; the REST
 * services have no authentication of their own) and `-secure` (the REST services too ask for a Keycloak bearer token
 * on every request). pacstack runs `-secure-ui` with single sign-on: its edge sends no per-person bearer token to
 * the archive (oauth2-proxy's one answer to forwardAuth already carries Orthanc's credential in Authorization), so
 * under `-secure` the viewer, which uses the session cookie, could not read dcm4chee's DICOMweb.
 */
import { ImageRef } from "../config/image";
import { ADMIN_GROUP, ARCHIVE_UI_CLIENT_ID, REALM_NAME } from "../keycloak/realm";
import { EnvVar } from "./env";

export const SECURE_UI_SUFFIX = "-secure-ui";
const SECURE_SUFFIX = "-secure";
/** A release tag as dcm4chee publishes it (5.34.3), without a variant. */
const RELEASE_TAG = /^\d+\.\d+\.\d+$/;

/** Where the archive finds Keycloak: in the cluster (its own calls) and on the public host (the browser's). */
export interface ArchiveSignIn {
    /** Keycloak's in-cluster base URL, e.g. `http://pacstack-keycloak-http.pacstack.svc.cluster.local:8080/auth`. */
    keycloakInternalUrl: string;
    /** Keycloak's public base URL (its --hostname), e.g. `https://pacs.example.org/auth`. */
    keycloakPublicUrl: string;
}

/**
 * The image the archive runs: with single sign-on, a release tag (`5.34.3`) becomes its `-secure-ui` variant of the
 * same repository; a `-secure-ui` tag or a digest is taken as given. Without, the image as configured.
 */
export function archiveImageFor(image: ImageRef, signIn: boolean): ImageRef {
    return signIn && RELEASE_TAG.test(image.tag) ? { ...image, tag: `${image.tag}${SECURE_UI_SUFFIX}` } : image;
}

/** What is wrong with the configured archive image for the login (empty when nothing). */
export function archiveImageProblems(image: ImageRef, login: "sso" | "basic"): string[] {
    if (login === "sso" && image.tag.endsWith(SECURE_SUFFIX)) {
        return [`${image.tag} is dcm4chee's -secure variant, whose REST services want a Keycloak bearer token the edge does not send (the viewer would lose dcm4chee); give the release tag (pacstack runs its -secure-ui variant) or a -secure-ui tag`];
    }
    if (login === "basic" && (image.tag.endsWith(SECURE_SUFFIX) || image.tag.endsWith(SECURE_UI_SUFFIX))) {
        return [`${image.tag} is a Keycloak-secured variant, but login basic deploys no Keycloak; give the plain release tag`];
    }
    return [];
}

const plainUrl = (key: string, value: string, protocols: string[]): string[] => {
    let parsed: URL | undefined;
    try {
        parsed = new URL(value);
    } catch {
        /* reported below */
    }
    return !parsed || !protocols.includes(parsed.protocol) || parsed.username || parsed.password || parsed.search || parsed.hash || value.endsWith("/")
        ? [`${key}: ${JSON.stringify(value)} is not a ${protocols.join(" or ")} URL without credentials, query, fragment or trailing /`]
        : [];
};

/**
 * The `-secure-ui` image's Keycloak settings (its README, "Environment Variables", at 5.34.3): Wildfly's OIDC
 * client fetches keys and redeems codes in the cluster (AUTH_SERVER_URL), the browser signs in on the public host
 * (UI_AUTH_SERVER_URL), both in pacstack's realm with the UI client; administrators (the only group the edge lets
 * reach the UI) are its users and its super users; the Wildfly console keeps no Keycloak client of its own (pacstack
 * publishes no route to it).
 */
export function renderArchiveSignInEnv(input: ArchiveSignIn): EnvVar[] {
    const problems = [...plainUrl("keycloakInternalUrl", input.keycloakInternalUrl, ["http:", "https:"]), ...plainUrl("keycloakPublicUrl", input.keycloakPublicUrl, ["https:"])];
    if (problems.length > 0) throw new Error(`invalid dcm4chee sign-in settings: ${problems.join("; ")}`);
    return [
        // Host names of the in-cluster URL are checked when it is https (the image's default skips the check).
        { name: "ALLOW_ANY_HOSTNAME", value: "false" },
        { name: "AUTH_SERVER_URL", value: input.keycloakInternalUrl },
        { name: "AUTH_USER_ROLE", value: ADMIN_GROUP },
        { name: "REALM_NAME", value: REALM_NAME },
        // Keycloak in the cluster speaks HTTP from private addresses; every public request is HTTPS at the edge.
        { name: "SSL_REQUIRED", value: "external" },
        { name: "SUPER_USER_ROLE", value: ADMIN_GROUP },
        { name: "UI_AUTH_SERVER_URL", value: input.keycloakPublicUrl },
        { name: "UI_CLIENT_ID", value: ARCHIVE_UI_CLIENT_ID },
        { name: "WILDFLY_ADMIN_OIDC", value: "false" },
    ];
}
