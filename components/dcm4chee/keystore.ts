/**
 * A single-file Java program (run with the JDK of the archive image, `java PemToPkcs12.java ...`) that turns the
 * pacstack DICOM-TLS Secret (PEM certificate, PKCS#1 or PKCS#8 RSA key, CA certificate) into the PKCS12 key store
 * and trust store dcm4chee's DICOM-TLS connection reads: the CA (the JVM's LDAPS) and every modality's own
 * certificate (renderModalityTrust), so that a modality removed from the list is refused. No third-party code: JDK
 * classes and a few lines of DER.
 */
export const PEM_TO_PKCS12_JAVA = `import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** PemToPkcs12 CERT KEY CA PASSWORD_FILE KEYSTORE_OUT TRUSTSTORE_OUT [TRUSTED_MODALITIES] */
public class PemToPkcs12 {
    public static void main(String[] args) throws Exception {
        if (args.length != 6 && args.length != 7) {
            throw new IllegalArgumentException("usage: PemToPkcs12 CERT KEY CA PASSWORD_FILE KEYSTORE_OUT TRUSTSTORE_OUT [TRUSTED_MODALITIES]");
        }
        char[] password = Files.readString(Path.of(args[3])).trim().toCharArray();
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        List<Certificate> chain = new ArrayList<>();
        try (InputStream in = Files.newInputStream(Path.of(args[0]))) {
            chain.addAll(factory.generateCertificates(in));
        }
        Certificate ca;
        try (InputStream in = Files.newInputStream(Path.of(args[2]))) {
            ca = factory.generateCertificate(in);
        }
        if (!chain.contains(ca)) {
            chain.add(ca);
        }
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("dicom-tls", readKey(Files.readString(Path.of(args[1]))), password, chain.toArray(new Certificate[0]));
        try (var out = Files.newOutputStream(Path.of(args[4]))) {
            keys.store(out, password);
        }
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("pacstack-ca", ca);
        if (args.length == 7) {
            int n = 0;
            try (InputStream in = Files.newInputStream(Path.of(args[6]))) {
                for (Certificate modality : factory.generateCertificates(in)) {
                    trust.setCertificateEntry("modality-" + n++, modality);
                }
            }
        }
        try (var out = Files.newOutputStream(Path.of(args[5]))) {
            trust.store(out, password);
        }
        System.out.println("wrote " + args[4] + " and " + args[5]);
    }

    static PrivateKey readKey(String pem) throws Exception {
        byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
        if (pem.contains("BEGIN RSA PRIVATE KEY")) {
            // PKCS#1 RSAPrivateKey inside a PKCS#8 PrivateKeyInfo: version 0, rsaEncryption with NULL parameters.
            byte[] version = {0x02, 0x01, 0x00};
            byte[] algorithm = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
            der = tlv(0x30, concat(version, algorithm, tlv(0x04, der)));
        } else if (!pem.contains("BEGIN PRIVATE KEY")) {
            throw new IllegalArgumentException("expected an RSA private key in PKCS#1 or PKCS#8 PEM form");
        }
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
    }

    static byte[] tlv(int tag, byte[] value) {
        int n = value.length;
        byte[] length = n < 0x80 ? new byte[] {(byte) n}
            : n < 0x100 ? new byte[] {(byte) 0x81, (byte) n}
            : n < 0x10000 ? new byte[] {(byte) 0x82, (byte) (n >> 8), (byte) n}
            : new byte[] {(byte) 0x83, (byte) (n >> 16), (byte) (n >> 8), (byte) n};
        return concat(new byte[] {(byte) tag}, length, value);
    }

    static byte[] concat(byte[]... parts) {
        int size = 0;
        for (byte[] part : parts) size += part.length;
        byte[] out = new byte[size];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, out, at, part.length);
            at += part.length;
        }
        return out;
    }
}
`;
