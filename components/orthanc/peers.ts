import { OrthancPeer } from "../config/peers";

/** What the configuration renderer needs of a peer: never its password (that comes from the environment). */
export type PeerEndpoint = Pick<OrthancPeer, "name" | "url" | "username" | "caCertificate">;

/** Orthanc's CA file for outgoing HTTPS when no peer names its CA: the image's system bundle. */
export const SYSTEM_CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";

/**
 * The environment variable holding a peer's password: ORTHANC_PEER_<NAME>_PASSWORD, the name upper-cased with
 * `-` as `_` (names are lowercase DNS labels, so two peers never share a variable).
 */
export function peerPasswordEnv(name: string): string {
    if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`peer name ${JSON.stringify(name)} is not a lowercase DNS label`);
    return `ORTHANC_PEER_${name.toUpperCase().replace(/-/g, "_")}_PASSWORD`;
}

/**
 * The peers part of Orthanc's configuration: `OrthancPeers` with each password as `${ORTHANC_PEER_<NAME>_PASSWORD}`
 * (filled from a Secret by Orthanc's own substitution, like the database password), peers verified over HTTPS
 * (HttpsVerifyPeers) against the peers' own CAs when they name them (`caFile`, rendered by renderPeerCaBundle), else
 * the system's; peers added through the REST API are not kept (OrthancPeersInDatabase false, Orthanc's default).
 */
export function renderOrthancPeers(peers: PeerEndpoint[], caFile: string): Record<string, unknown> {
    const entries = peers.map((peer) => [peer.name, { Url: peer.url, Username: peer.username, Password: `\${${peerPasswordEnv(peer.name)}}` }] as const);
    return {
        OrthancPeers: Object.fromEntries(entries),
        OrthancPeersInDatabase: false,
        HttpsVerifyPeers: true,
        // Unset, Orthanc resolves "" against the configuration folder and would trust nothing.
        HttpsCACertificates: peers.some((p) => p.caCertificate) ? caFile : SYSTEM_CA_BUNDLE,
    };
}

/** The CA file Orthanc verifies peers with, when they name their CAs (one PEM after the other, in peer order). */
export function renderPeerCaBundle(peers: PeerEndpoint[]): string | undefined {
    const pems = [...new Set(peers.flatMap((p) => (p.caCertificate ? [p.caCertificate.trim() + "\n"] : [])))];
    return pems.length > 0 ? pems.join("") : undefined;
}
