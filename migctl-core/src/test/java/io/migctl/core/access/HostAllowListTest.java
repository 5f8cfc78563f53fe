package io.migctl.core.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class HostAllowListTest {

  private static final List<String> MACHINE = List.of("gpu01", "gpu01.lab.example", "10.1.2.3");

  private final HostAllowList loopback =
      HostAllowList.forBind(HostAllowList.Bind.LOOPBACK, "127.0.0.1", MACHINE, List.of());

  @ParameterizedTest
  @ValueSource(
      strings = {
        "localhost",
        "localhost:7468",
        "LocalHost.:7468",
        "127.0.0.1:7468",
        "127.0.0.1",
        "[::1]:7468",
        "[::1]",
        "[0:0:0:0:0:0:0:1]:7468",
        "localhost:9000",
        "localhost:65535"
      })
  void aLoopbackDaemonAnswersToItsLoopbackNamesOnAnyPort(String host) {
    assertThat(loopback.refusal(host)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "evil.example:7468",
        "evil.example",
        "localhost.evil.example:7468",
        "gpu01:7468",
        "10.1.2.3:7468",
        "127.0.0.2:7468",
        "::1",
        "localhost:http",
        "localhost:7468:1",
        "localhost:",
        "localhost:123456",
        "localhost:+80",
        "localhost:\u0663",
        "[::1]:",
        "[::1]x",
        "[::1",
        ""
      })
  void aLoopbackDaemonRefusesEveryOtherName(String host) {
    assertThat(loopback.refusal(host)).isPresent();
  }

  @Test
  void aRefusalNamesTheHostTheNamesServedAndTheFix() {
    assertThat(loopback.refusal("evil.example:7468"))
        .hasValue(
            "Host 'evil.example:7468' is not a name this daemon serves; it answers to localhost,"
                + " 127.0.0.1, ::1. A page of another site may be reaching it through DNS"
                + " rebinding. Use one of these names, or start the daemon with --allow-host NAME"
                + " for a name of yours");
    assertThat(loopback.refusal(null))
        .hasValueSatisfying(m -> assertThat(m).startsWith("Host (none)"));
  }

  @Test
  void aDaemonOnEveryAddressAnswersToTheMachinesNamesAndAddressesToo() {
    HostAllowList all =
        HostAllowList.forBind(HostAllowList.Bind.WILDCARD, "0.0.0.0", MACHINE, List.of());

    assertThat(all.names())
        .containsExactly("localhost", "127.0.0.1", "::1", "gpu01", "gpu01.lab.example", "10.1.2.3");
    assertThat(all.refusal("GPU01.lab.example:7468")).isEmpty();
    assertThat(all.refusal("0.0.0.0:7468")).isPresent();
  }

  @Test
  void aDaemonOnOneAddressAnswersToItAndTheMachinesNamesAndAllowedOnes() {
    HostAllowList one =
        HostAllowList.forBind(
            HostAllowList.Bind.ADDRESS,
            "10.1.2.3",
            List.of("gpu01", "10.1.2.3", "192.168.0.9"),
            List.of("migctl.example.org"));

    assertThat(one.refusal("10.1.2.3:7468")).isEmpty();
    assertThat(one.refusal("migctl.example.org")).isEmpty();
    assertThat(one.refusal("localhost:7468")).isPresent();
  }

  @ParameterizedTest
  @CsvSource({
    "::1, ::1",
    "0:0:0:0:0:0:0:1, ::1",
    "2001:DB8:0:0:8:800:200C:417A, 2001:db8::8:800:200c:417a",
    "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
    "2001:0db8:0000:0000:0000:0000:0000:0001, 2001:db8::1",
    "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
    "::, ::",
    "1::, 1::",
    "::ffff:192.0.2.1, ::ffff:c000:201",
    "fe80::1%eth0, fe80::1%eth0"
  })
  void ipv6AddressesCompareInTheirCanonicalForm(String given, String canonical) {
    assertThat(HostAllowList.normalize(given)).isEqualTo(canonical);
  }

  @ParameterizedTest
  @ValueSource(strings = {"1:2:3", "1::2::3", "12345::1", "g::1", "1:2:3:4:5:6:7:8:9"})
  void malformedIpv6IsLeftAsItIs(String text) {
    assertThat(HostAllowList.normalize(text)).isEqualTo(text);
  }
}
