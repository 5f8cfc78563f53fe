package io.migctl.daemon;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The daemon's TLS certificate and key, as PEM files ({@code serve --tls-cert FILE --tls-key
 * FILE}), turned into the key store Jetty serves from.
 *
 * <p>The certificate file holds the server's certificate, optionally followed by the chain up to
 * its CA. The key file holds its unencrypted private key as OpenSSL writes it: PKCS#8 ({@code BEGIN
 * PRIVATE KEY}, what {@code openssl req -newkey} and {@code genpkey} write), PKCS#1 RSA ({@code
 * BEGIN RSA PRIVATE KEY}) or SEC1 EC ({@code BEGIN EC PRIVATE KEY}). An encrypted key is refused
 * with the command that decrypts it: the daemon has nobody to ask for a passphrase. The key must
 * belong to the certificate.
 *
 * @param certificate the certificate (chain) file
 * @param key the private key file
 */
public record TlsFiles(Path certificate, Path key) {

  private static final Pattern PEM =
      Pattern.compile(
          "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]+?)-----END \\1-----", Pattern.DOTALL);

  /** Checks that both files are given. */
  public TlsFiles {
    Objects.requireNonNull(certificate, "certificate");
    Objects.requireNonNull(key, "key");
  }

  /** A key store and the password that opens it (random, for this process only). */
  public record Material(KeyStore keyStore, String password, X509Certificate certificate) {}

  /**
   * Reads both files.
   *
   * @throws IllegalArgumentException naming the file and what is wrong with it
   */
  public Material load() {
    List<X509Certificate> chain = certificates();
    PrivateKey privateKey = privateKey(chain.getFirst());
    try {
      String password = randomPassword();
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setKeyEntry(
          "migctl", privateKey, password.toCharArray(), chain.toArray(new Certificate[0]));
      return new Material(store, password, chain.getFirst());
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot build a key store from " + certificate, e);
    }
  }

  private static String randomPassword() {
    byte[] bytes = new byte[16];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  private List<X509Certificate> certificates() {
    byte[] bytes = read(certificate, "--tls-cert");
    try {
      List<X509Certificate> chain = new ArrayList<>();
      for (Certificate c :
          CertificateFactory.getInstance("X.509")
              .generateCertificates(new ByteArrayInputStream(bytes))) {
        chain.add((X509Certificate) c);
      }
      if (chain.isEmpty()) {
        throw new CertificateException("empty");
      }
      return chain;
    } catch (CertificateException e) {
      throw new IllegalArgumentException(
          "--tls-cert "
              + certificate
              + ": no PEM certificate ('-----BEGIN CERTIFICATE-----') in it; give the server's"
              + " certificate, then its chain");
    }
  }

  private PrivateKey privateKey(X509Certificate cert) {
    String text = new String(read(key, "--tls-key"), StandardCharsets.US_ASCII);
    if (text.contains("Proc-Type: 4,ENCRYPTED")) {
      throw encrypted();
    }
    Matcher m = PEM.matcher(text);
    while (m.find()) {
      String type = m.group(1);
      if (!type.endsWith("PRIVATE KEY")) {
        continue;
      }
      byte[] der = Base64.getMimeDecoder().decode(m.group(2));
      String algorithm = cert.getPublicKey().getAlgorithm();
      byte[] pkcs8 =
          switch (type) {
            case "PRIVATE KEY" -> der;
            case "RSA PRIVATE KEY" -> pkcs8(RSA_ALGORITHM, der);
            case "EC PRIVATE KEY" -> pkcs8(ecAlgorithm(cert), der);
            case "ENCRYPTED PRIVATE KEY" -> throw encrypted();
            default ->
                throw new IllegalArgumentException(
                    "--tls-key "
                        + key
                        + ": a '"
                        + type
                        + "' is not a key migctl reads; give a"
                        + " PKCS#8 key ('BEGIN PRIVATE KEY'): openssl pkey -in "
                        + key
                        + " -out KEY.pem");
          };
      PrivateKey privateKey;
      try {
        privateKey =
            KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
      } catch (GeneralSecurityException | RuntimeException e) {
        throw new IllegalArgumentException(
            "--tls-key "
                + key
                + ": not a "
                + algorithm
                + " private key, as the certificate in "
                + certificate
                + " needs");
      }
      checkPair(cert, privateKey);
      return privateKey;
    }
    throw new IllegalArgumentException(
        "--tls-key "
            + key
            + ": no PEM private key ('-----BEGIN PRIVATE KEY-----') in it; give the key of the"
            + " certificate in "
            + certificate);
  }

  private IllegalArgumentException encrypted() {
    return new IllegalArgumentException(
        "--tls-key "
            + key
            + ": the key is encrypted, and the daemon has nobody to ask for its passphrase;"
            + " decrypt it into a file only you can read: (umask 077; openssl pkey -in "
            + key
            + " -out KEY.pem)");
  }

  /** Signs with the key and verifies with the certificate: they must be one pair. */
  private void checkPair(X509Certificate cert, PrivateKey privateKey) {
    String algorithm =
        switch (privateKey.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          default -> privateKey.getAlgorithm(); // Ed25519, Ed448, EdDSA sign by their own name
        };
    try {
      byte[] probe = "migctl".getBytes(StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(privateKey);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(cert.getPublicKey());
      verifier.update(probe);
      if (verifier.verify(signature)) {
        return;
      }
    } catch (GeneralSecurityException e) {
      // not a pair either
    }
    throw new IllegalArgumentException(
        "--tls-key "
            + key
            + " is not the key of the certificate in "
            + certificate
            + "; give the key the certificate was made for");
  }

  private static byte[] read(Path file, String option) {
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(option + " " + file + ": no such file");
    } catch (IOException e) {
      throw new IllegalArgumentException(
          option + " " + file + ": cannot be read; check that it is a file you may read");
    }
  }

  // ---------------------------------------------------------------- PKCS#8 wrapping (DER)

  /** AlgorithmIdentifier of rsaEncryption (1.2.840.113549.1.1.1) with NULL parameters. */
  private static final byte[] RSA_ALGORITHM =
      HexFormat.of().parseHex("300d06092a864886f70d0101010500");

  /** AlgorithmIdentifier of id-ecPublicKey (1.2.840.10045.2.1) with the certificate's curve. */
  private byte[] ecAlgorithm(X509Certificate cert) {
    try {
      AlgorithmParameters curve = AlgorithmParameters.getInstance("EC");
      curve.init(((ECPublicKey) cert.getPublicKey()).getParams());
      byte[] ecPublicKey = HexFormat.of().parseHex("06072a8648ce3d0201");
      return der(0x30, concat(ecPublicKey, curve.getEncoded()));
    } catch (GeneralSecurityException | IOException | ClassCastException e) {
      throw new IllegalArgumentException(
          "--tls-key "
              + key
              + ": an EC key, but the certificate in "
              + certificate
              + " is not for an EC key");
    }
  }

  /** PrivateKeyInfo: version 0, the algorithm, the key as an OCTET STRING. */
  private static byte[] pkcs8(byte[] algorithm, byte[] key) {
    return der(0x30, concat(HexFormat.of().parseHex("020100"), algorithm, der(0x04, key)));
  }

  private static byte[] der(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int n = content.length;
    if (n < 0x80) {
      out.write(n);
    } else {
      int bytes = (32 - Integer.numberOfLeadingZeros(n) + 7) / 8;
      out.write(0x80 | bytes);
      for (int i = bytes - 1; i >= 0; i--) {
        out.write(n >>> (8 * i));
      }
    }
    out.writeBytes(content);
    return out.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
