import assert from "node:assert/strict";
import {
    SESSION_STORE_COMMANDS,
    SESSION_STORE_USER,
    renderSessionStoreAcl,
    renderSessionStoreConfig,
    sessionStoreConfigProblems,
} from "../../components/session-store/settings";
import { podSessionStoreConfig, renderSessionStoreDeployment, renderSessionStoreService } from "../../components/session-store/workload";
import { sessionStorePublication } from "../../components/session-store/session-store";
import { SESSION_STORE_IMAGE } from "../../components/session-store/version";
import { parseImage } from "../../components/config/image";

const lines = (text: string) => text.split("\n").filter(Boolean);

describe("session store: Valkey's configuration, ACL and pod", () => {
    const config = renderSessionStoreConfig(podSessionStoreConfig(128));

    it("serves TLS only (no plain port), keeps nothing on disk and has a memory ceiling that evicts sessions, not sign-ins", () => {
        assert.deepEqual(lines(config), [
            "port 0",
            "tls-port 6379",
            "tls-cert-file /etc/pacstack/session-store/tls/tls.crt",
            "tls-key-file /etc/pacstack/session-store/tls/tls.key",
            "tls-ca-cert-file /etc/pacstack/session-store/tls/ca.crt",
            "tls-auth-clients no",
            'tls-protocols "TLSv1.2 TLSv1.3"',
            "aclfile /etc/pacstack/session-store/acl/users.acl",
            'save ""',
            "appendonly no",
            "dir /data",
            "maxmemory 128mb",
            "maxmemory-policy volatile-lru",
        ]);
        assert.doesNotMatch(config, /requirepass|password/i, "no credential in the configuration (a ConfigMap)");
    });

    it("turns the default user off and gives oauth2-proxy's user only its commands", () => {
        const acl = lines(renderSessionStoreAcl("0123456789abcdefghijklmnopqrstuv"));
        assert.equal(acl[0], "user default off nopass nocommands resetkeys");
        assert.equal(acl[1], `user ${SESSION_STORE_USER} on >0123456789abcdefghijklmnopqrstuv resetkeys ~* resetchannels -@all ${SESSION_STORE_COMMANDS.map((c) => `+${c}`).join(" ")}`);
        for (const dangerous of ["keys", "flushall", "flushdb", "config", "debug", "scan", "monitor", "shutdown", "acl", "module", "script"]) {
            assert.ok(!SESSION_STORE_COMMANDS.includes(dangerous), dangerous);
        }
        assert.equal(acl.length, 2);
    });

    it("refuses a password that would open an ACL rule of its own, and bad paths, ports and sizes", () => {
        for (const bad of ["", "0123456789abcdefghijklmnopqrstuv +@all", "0123456789abcdefghijklmnopqrstuv\nuser default on", "0123456789abcdefghijklmnopqrstuv\u00e9"]) {
            assert.throws(() => renderSessionStoreAcl(bad), /printable characters without spaces/, JSON.stringify(bad));
        }
        const valid = podSessionStoreConfig(128);
        assert.deepEqual(sessionStoreConfigProblems(valid), []);
        const problems = sessionStoreConfigProblems({ ...valid, aclFile: "users.acl\nuser x on", dir: "/data dir", port: 70000, maxMemoryMiB: 8, bind: "0.0.0.0\nport 6380" });
        assert.equal(problems.length, 5, problems.join("\n"));
        assert.throws(() => renderSessionStoreConfig({ ...valid, tls: { ...valid.tls, keyFile: "relative.key" } }), /invalid session store settings: tls.keyFile/);
    });

    it("runs one restricted pod of the pinned image: non-root, read-only root, Secrets mounted read-only, no token", () => {
        const deployment = renderSessionStoreDeployment({
            name: "pacstack-session-store",
            namespace: "pacstack",
            image: SESSION_STORE_IMAGE,
            resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
            config,
            configMapName: "pacstack-session-store-config",
            secretName: "pacstack-session-store-credentials",
            tlsSecretName: "pacstack-session-store-tls",
            certificatesChecksum: "c1",
            aclChecksum: "a1",
        });
        assert.ok(parseImage(SESSION_STORE_IMAGE), "pinned");
        assert.equal(SESSION_STORE_IMAGE, "docker.io/valkey/valkey:8.1.11");
        assert.equal(deployment.spec.replicas, 1);
        assert.equal(deployment.spec.strategy.type, "Recreate");
        const pod = deployment.spec.template.spec;
        const [container] = pod.containers;
        assert.deepEqual(container.command, ["valkey-server", "/etc/pacstack/session-store/config/valkey.conf"]);
        assert.equal(pod.securityContext.runAsUser, 999);
        assert.equal(pod.securityContext.runAsNonRoot, true);
        assert.equal(container.securityContext.readOnlyRootFilesystem, true);
        assert.equal(pod.automountServiceAccountToken, false);
        assert.equal((container as { env?: unknown }).env, undefined, "no credential in the environment");
        assert.deepEqual(container.readinessProbe.tcpSocket, { port: "valkey-tls" });
        assert.ok(container.volumeMounts.filter((m) => !["data", "tmp"].includes(m.name)).every((m) => m.readOnly));
        const tls = pod.volumes.find((v) => v.name === "tls")!;
        assert.deepEqual(tls.secret!.items.map((i) => i.key), ["tls.crt", "tls.key", "ca.crt"]);
        assert.equal(tls.secret!.defaultMode, 0o440, "readable by the pod's group (fsGroup), nobody else");
        const annotations = deployment.spec.template.metadata.annotations as Record<string, string>;
        assert.equal(annotations["pacstack.io/certificates-checksum"], "c1");
        const service = renderSessionStoreService({ name: "pacstack-session-store", namespace: "pacstack" });
        assert.deepEqual(service.spec.ports, [{ name: "valkey-tls", port: 6379, protocol: "TCP", targetPort: "valkey-tls" }]);
    });

    it("publishes one flow: oauth2-proxy's pods to the store's TLS port, nothing else", () => {
        const pods = { namespace: "pacstack", podLabels: { "app.kubernetes.io/name": "session-store" } };
        const clients = { namespace: "pacstack", podLabels: { "app.kubernetes.io/name": "oauth2-proxy" } };
        const published = sessionStorePublication({ service: "pacstack-session-store", pods, clients });
        assert.deepEqual(published.flows, [{ name: "oauth2-proxy-to-session-store", from: clients, to: pods, ports: [{ port: 6379 }] }]);
        assert.deepEqual([published.routes, published.entryPoints, published.metrics], [[], [], []]);
    });
});
