import assert from "node:assert/strict";
import { renderDatabaseArgs } from "../../components/dcm4chee/env";
import { PlanResult, byType, one, planStack } from "../harness/plan-runner";
import { VARIANTS } from "../harness/variants";

const K = {
    statefulSet: "kubernetes:apps/v1:StatefulSet",
    service: "kubernetes:core/v1:Service",
    configMap: "kubernetes:core/v1:ConfigMap",
    secret: "kubernetes:core/v1:Secret",
    release: "kubernetes:helm.sh/v3:Release",
    tcpRoute: "kubernetes:traefik.io/v1alpha1:IngressRouteTCP",
    certRequest: "tls:index/certRequest:CertRequest",
    signedCert: "tls:index/locallySignedCert:LocallySignedCert",
    policy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
};
const inputs = (r: { inputs: Record<string, unknown> }) => r.inputs as any;
const variant = (label: string) => VARIANTS.find((v) => v.label.startsWith(label))!;
const plan = (label: string) => planStack(variant(label).stack, variant(label).overrides);
const pod = (p: PlanResult, name: string) => inputs(one(p, K.statefulSet, name)).spec.template.spec;
const envOf = (container: any): Record<string, string> => Object.fromEntries(container.env.map((e: any) => [e.name, e.value]));

/** The Secret mounted at the folder holding `file` in a container, or undefined. */
function secretHolding(spec: any, container: any, file: string): string | undefined {
    const mount = container.volumeMounts.find((m: any) => file.startsWith(`${m.mountPath}/`));
    return mount && spec.volumes.find((v: any) => v.name === mount.name)?.secret?.secretName;
}

function allows(p: PlanResult, namespace: string, direction: "ingress" | "egress", app: string, port: number): boolean {
    return byType(p, K.policy).some((policy) => {
        const doc = inputs(policy);
        const rules = (doc.spec[direction] ?? []) as { ports?: { port: number }[] }[];
        return doc.metadata.namespace === namespace && doc.spec.podSelector.matchLabels?.["app.kubernetes.io/name"] === app && rules.some((r) => r.ports?.some((x) => x.port === port));
    });
}

describe("dcm4chee for hospital integration: HL7 over TLS at the edge, LDAP and database over TLS (mocks)", function () {
    this.timeout(120_000);
    let only: PlanResult;
    let both: PlanResult;
    before(async () => {
        [only, both] = await Promise.all([plan("dcm4chee only"), plan("Orthanc and dcm4chee")]);
        for (const p of [only, both]) assert.equal(p.code, 0, p.stderr);
    });

    it("publishes HL7 (MLLP over TLS) on its own entrypoint, passed through to the archive's HL7-TLS receiver", () => {
        const tcp = inputs(one(both, K.tcpRoute, "pacstack-routes-dcm4chee-hl7-ingressroutetcp"));
        // TLS passthrough: Traefik reads the ClientHello and passes the session on; the archive terminates it with its own certificate.
        assert.deepEqual(tcp.spec, { entryPoints: ["hl7-dcm4chee"], routes: [{ match: "HostSNI(`*`)", middlewares: [{ name: "pacstack-routes-tcp-connections-per-source" }], services: [{ name: "pacstack-dcm4chee", port: 12575 }] }], tls: { passthrough: true } });
        assert.deepEqual(inputs(one(only, K.release, "pacstack-traefik")).values.ports["hl7-dcm4chee"], {
            expose: { default: true },
            exposedPort: 32575,
            nodePort: 32575,
            port: 12575,
            protocol: "TCP",
            transport: { respondingTimeouts: { readTimeout: "5s" } },
        });
        assert.equal(inputs(one(both, K.release, "pacstack-traefik")).values.ports["hl7-dcm4chee"].exposedPort, 12575);
        const archive = pod(only, "pacstack-dcm4chee").containers[0];
        assert.ok(archive.ports.some((p: any) => p.name === "hl7-tls" && p.containerPort === 12575));
        const ports = inputs(one(only, K.service, "pacstack-dcm4chee")).spec.ports.map((p: any) => [p.name, p.port, p.targetPort]);
        assert.deepEqual(ports, [["https", 8443, "https"], ["dicom-tls", 2762, "dicom-tls"], ["hl7-tls", 12575, "hl7-tls"]]);
        // The receiver configured in LDAP is on that port; the plain HL7 receiver (2575) has no Service port, no route.
        assert.equal(envOf(pod(only, "pacstack-dcm4chee-ldap").containers[0]).HL7_TLS_PORT, "12575");
        assert.ok(!ports.some((entry) => entry[1] === 2575));
    });

    it("lets Traefik reach the HL7-TLS port and nothing reach plain HL7", () => {
        assert.ok(allows(only, "pacstack-ingress", "ingress", "traefik", 12575));
        assert.ok(allows(only, "pacstack-ingress", "egress", "traefik", 12575));
        assert.ok(allows(only, "pacstack", "ingress", "dcm4chee-arc", 12575));
        assert.ok(!allows(only, "pacstack", "ingress", "dcm4chee-arc", 2575));
        assert.ok(!allows(only, "pacstack-ingress", "egress", "traefik", 2575));
    });

    it("issues LDAP and the database a server certificate for their Services' names, from the pacstack CA", () => {
        const names = (id: string) => inputs(one(only, K.certRequest, `pacstack-${id}`)).dnsNames;
        const fqdn = (name: string) => `${name}.pacstack.svc.cluster.local`;
        assert.ok(names("dcm4chee-ldap").includes(fqdn("pacstack-dcm4chee-ldap")));
        assert.ok(names("dcm4chee-ldap").includes("localhost"), "the readiness probe connects to localhost");
        assert.ok(names("dcm4chee-db").includes(fqdn("pacstack-dcm4chee-db")));
        for (const id of ["dcm4chee-ldap", "dcm4chee-db"]) {
            assert.deepEqual(inputs(one(only, K.signedCert, `pacstack-${id}`)).allowedUses, ["digital_signature", "key_encipherment", "server_auth"]);
            assert.equal(inputs(one(only, K.secret, `pacstack-${id}-tls`)).type, "kubernetes.io/tls");
        }
    });

    it("serves LDAP over TLS only to the pod network, and the archive connects with ldaps://, checking name and CA", () => {
        const ldapPod = pod(only, "pacstack-dcm4chee-ldap");
        const slapd = ldapPod.containers[0];
        const ldapEnv = envOf(slapd);
        // Plain LDAP on the pod's loopback (the image's import tools), LDAPS on every address.
        assert.equal(ldapEnv.LDAP_URLS, "ldap://127.0.0.1:1389/ ldaps://:1636/");
        assert.deepEqual(slapd.ports, [{ containerPort: 1636, name: "ldaps", protocol: "TCP" }]);
        for (const file of ["LDAP_TLS_CERT", "LDAP_TLS_KEY", "LDAP_TLS_CACERT"]) {
            assert.equal(secretHolding(ldapPod, slapd, ldapEnv[file]), "pacstack-dcm4chee-ldap-tls", file);
        }
        assert.equal(ldapEnv.LDAP_TLS_VERIFY, "never", "the archive binds with a password, not a client certificate");
        assert.deepEqual(slapd.readinessProbe.exec.command.slice(0, 8), [
            "env",
            `LDAPTLS_CACERT=${ldapEnv.LDAP_TLS_CACERT}`,
            "LDAPTLS_REQCERT=demand",
            "ldapsearch",
            "-x",
            "-LLL",
            "-H",
            "ldaps://localhost:1636",
        ]);
        assert.equal(slapd.livenessProbe.tcpSocket.port, "ldaps");
        const service = inputs(one(only, K.service, "pacstack-dcm4chee-ldap")).spec.ports;
        assert.deepEqual(service, [{ name: "ldaps", port: 636, protocol: "TCP", targetPort: "ldaps" }]);

        const archivePod = pod(only, "pacstack-dcm4chee");
        const env = envOf(archivePod.containers[0]);
        assert.equal(env.LDAP_URL, "ldaps://pacstack-dcm4chee-ldap.pacstack.svc.cluster.local:636");
        assert.equal(env.LDAP_DISABLE_HOSTNAME_VERIFICATION, "false");
        assert.ok(env.WILDFLY_WAIT_FOR.startsWith("pacstack-dcm4chee-ldap.pacstack.svc.cluster.local:636 "));
        // The JVM's trust store is the one made from the pacstack CA (the DICOM Secret's ca.crt).
        const script = inputs(one(only, K.configMap, "pacstack-dcm4chee-scripts")).data["start-archive.sh"] as string;
        assert.match(script, /-Djavax\.net\.ssl\.trustStore=\$TRUSTSTORE -Djavax\.net\.ssl\.trustStoreType=\$TRUSTSTORE_TYPE /);
        assert.match(script, /exec standalone\.sh .*\$SYS_PROPS \$TRUST$/m);
        assert.equal(archivePod.initContainers[1].command.at(-2), env.TRUSTSTORE);
        assert.equal(archivePod.initContainers[1].command[4], "/etc/pacstack/dicom-tls/ca.crt");
        // Only the archive reaches LDAP, on LDAPS only.
        assert.ok(allows(only, "pacstack", "ingress", "dcm4chee-ldap", 1636));
        assert.ok(allows(only, "pacstack", "egress", "dcm4chee-arc", 1636));
        assert.ok(!allows(only, "pacstack", "ingress", "dcm4chee-ldap", 1389), "plain LDAP is not open to the pod network");
        // A kept configuration gets the TLS files too: update-tls on every later start.
        assert.match(inputs(one(only, K.configMap, "pacstack-dcm4chee-scripts")).data["start-ldap.sh"], /^else\n {4}\( sleep 2; update-tls \) &\nfi$/m);
    });

    it("runs the database with TLS and a pg_hba.conf that admits TCP sessions only over TLS", () => {
        const dbPod = pod(only, "pacstack-dcm4chee-db");
        const postgres = dbPod.containers[0];
        assert.deepEqual(postgres.args, renderDatabaseArgs());
        const setting = (name: string): string | undefined => postgres.args.find((a: string) => a.startsWith(`${name}=`))?.slice(name.length + 1);
        assert.equal(setting("ssl"), "on");
        assert.equal(secretHolding(dbPod, postgres, setting("ssl_cert_file")!), "pacstack-dcm4chee-db-tls");
        assert.equal(secretHolding(dbPod, postgres, setting("ssl_key_file")!), "pacstack-dcm4chee-db-tls");
        const hbaFile = setting("hba_file")!;
        const scriptsMount = postgres.volumeMounts.find((m: any) => hbaFile.startsWith(`${m.mountPath}/`));
        assert.equal(dbPod.volumes.find((v: any) => v.name === scriptsMount.name).configMap.name, "pacstack-dcm4chee-scripts");
        const hba = inputs(one(only, K.configMap, "pacstack-dcm4chee-scripts")).data[hbaFile.slice(scriptsMount.mountPath.length + 1)] as string;
        const rules = hba.split("\n").filter((line) => line && !line.startsWith("#"));
        assert.deepEqual(rules, ["local all all trust", "hostssl all all all scram-sha-256"]);

        const env = envOf(pod(only, "pacstack-dcm4chee").containers[0]);
        assert.equal(env.POSTGRES_JDBC_PARAMS, "sslmode=verify-full&sslrootcert=/etc/pacstack/dicom-tls/ca.crt");
        const archivePod = pod(only, "pacstack-dcm4chee");
        assert.equal(secretHolding(archivePod, archivePod.containers[0], "/etc/pacstack/dicom-tls/ca.crt"), "pacstack-dicom-tls");
        const dbNames = inputs(one(only, K.certRequest, "pacstack-dcm4chee-db")).dnsNames;
        assert.ok(dbNames.includes(env.POSTGRES_HOST), "verify-full checks the host the archive connects to");
    });

    it("issues no dcm4chee server certificates without dcm4chee", async () => {
        const dev = await planStack("dev");
        assert.equal(dev.resources.some((r) => r.name.startsWith("pacstack-dcm4chee")), false);
        assert.equal(dev.resources.some((r) => r.type === K.tcpRoute && r.name.includes("hl7")), false);
        assert.equal(inputs(one(dev, K.release, "pacstack-traefik")).values.ports["hl7-dcm4chee"], undefined);
    });
});
