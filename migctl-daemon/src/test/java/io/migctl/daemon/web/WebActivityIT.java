package io.migctl.daemon.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.migctl.nvidia.sim.SimulatedMigDriver;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
import io.migctl.testing.RequiredTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web page's MIG diagram on a simulated A100 and H100: each H100 slice shows its SM and tensor
 * activity (DCGM's ratios, which Hopper reports per GPU instance), each A100 slice neither (Ampere
 * has no GPM: nothing is shown rather than 0 %).
 */
class WebActivityIT {

  private static final String LAYOUT =
      """
      version: v1
      mig-configs:
        activity:
          - devices: [0]
            mig-enabled: true
            mig-devices: {"1g.5gb": 2}
          - devices: [1]
            mig-enabled: true
            mig-devices: {"1g.10gb": 2, "3g.40gb": 1}
      """;

  @TempDir Path temp;

  @Test
  void hopperSlicesShowSmAndTensorActivityAndAmpereSlicesNeither() throws IOException {
    Optional<ChromeTools> tools = ChromeTools.find();
    RequiredTools.fromEnvironment().require(tools.isPresent(), () -> ChromeTools.INSTALL_HINT);
    SimulatedMigDriver sim =
        SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse("a100-40gb:1,h100-80gb:1"));
    Path target = Path.of("target", "web-activity");
    Files.createDirectories(target);
    try (WebDaemon daemon = new WebDaemon(temp.resolve("home"), sim)) {
      WebDaemon.Reply applied =
          daemon.post("/api/v1/layout/apply", Map.of("config", LAYOUT, "select", "activity"));
      assertThat(applied.status()).as(applied.body()).isEqualTo(200);
      ChromeDriver browser =
          tools.get().start(temp.resolve("chromium"), target.resolve("chromedriver.log"));
      try {
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
        wait.ignoring(StaleElementReferenceException.class);
        browser.get(daemon.url("/").toString());
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token-input")))
            .sendKeys(daemon.token);
        browser.findElement(By.id("token-save")).click();
        wait.until(d -> facts(browser).size() == 5 && !facts(browser).containsValue(""));

        Map<String, String> facts = facts(browser);
        assertThat(facts.entrySet().stream().filter(e -> e.getKey().startsWith("1|")))
            .hasSize(3)
            .allSatisfy(e -> assertThat(e.getValue()).matches(".*\\bSM \\d+% · tensor \\d+%.*"));
        assertThat(facts.entrySet().stream().filter(e -> e.getKey().startsWith("0|")))
            .hasSize(2)
            .allSatisfy(
                e ->
                    assertThat(e.getValue())
                        .doesNotContain("SM", "tensor", "engine")
                        .contains("proc"));
      } finally {
        browser.quit();
      }
    }
  }

  /** Each drawn MIG device (GPU index | UUID) and the facts line under it. */
  private static Map<String, String> facts(ChromeDriver browser) {
    Map<String, String> out = new HashMap<>();
    for (WebElement dev : browser.findElements(By.cssSelector(".mig-device"))) {
      List<WebElement> f = dev.findElements(By.cssSelector(".dev-facts"));
      out.put(
          dev.findElement(By.xpath("./ancestor::*[@data-gpu]")).getDomAttribute("data-gpu")
              + "|"
              + dev.getDomAttribute("data-uuid"),
          f.isEmpty() ? "" : f.getFirst().getText());
    }
    return out;
  }
}
