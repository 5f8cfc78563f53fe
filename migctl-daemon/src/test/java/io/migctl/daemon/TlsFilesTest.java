package io.migctl.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.Key;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TlsFilesTest {

  static Path tls(String name) {
    try {
      return Path.of(TlsFilesTest.class.getResource("tls/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @ParameterizedTest(name = "{0} with {1}")
  @CsvSource({
    "cert.pem, key.pem, RSA",
    "cert.pem, key-pkcs1.pem, RSA",
    "ec-cert.pem, ec-key.pem, EC",
    "ec-cert.pem, ec-key-sec1.pem, EC"
  })
  void readsTheKeyFormsOpenSslWrites(String cert, String key, String algorithm) throws Exception {
    TlsFiles.Material m = new TlsFiles(tls(cert), tls(key)).load();

    Key stored = m.keyStore().getKey("migctl", m.password().toCharArray());
    assertThat(stored.getAlgorithm()).isEqualTo(algorithm);
    assertThat(m.certificate().getSubjectX500Principal().getName()).isEqualTo("CN=localhost");
  }

  @ParameterizedTest
  @CsvSource({"key-encrypted.pem", "key-pkcs1-encrypted.pem"})
  void anEncryptedKeyIsRefusedWithTheCommandThatDecryptsIt(String key) {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new TlsFiles(tls("cert.pem"), tls(key)).load())
        .withMessageContaining("--tls-key " + tls(key))
        .withMessageContaining("encrypted")
        .withMessageContaining("openssl pkey -in " + tls(key));
  }

  @Test
  void aKeyOfAnotherCertificateIsRefused() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new TlsFiles(tls("cert.pem"), tls("other-key.pem")).load())
        .withMessage(
            "--tls-key "
                + tls("other-key.pem")
                + " is not the key of the certificate in "
                + tls("cert.pem")
                + "; give the key the certificate was made for");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new TlsFiles(tls("cert.pem"), tls("ec-key.pem")).load())
        .withMessageContaining("not a RSA private key");
  }

  @Test
  void filesThatAreMissingOrHoldNoPemAreRefusedByName() {
    Path missing = tls("cert.pem").resolveSibling("missing.pem");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new TlsFiles(missing, tls("key.pem")).load())
        .withMessage("--tls-cert " + missing + ": no such file");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new TlsFiles(tls("key.pem"), tls("key.pem")).load())
        .withMessageContaining("--tls-cert " + tls("key.pem") + ": no PEM certificate");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new TlsFiles(tls("cert.pem"), tls("cert.pem")).load())
        .withMessageContaining("--tls-key " + tls("cert.pem") + ": no PEM private key");
  }
}
