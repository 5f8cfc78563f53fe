package io.migctl.daemon.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.migctl.nvidia.sim.SimulatedMigDriver;
import io.migctl.nvidia.sim.SimulatedNodeSpec;
import io.migctl.testing.RequiredTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web page in headless Chromium against a daemon on a simulated two-A100 node: the page asks
 * for the token before it reads anything, and again when the daemon refuses it; the MIG diagram
 * matches the live layout; a job submitted through the page runs to success; and a screenshot of a
 * busy node is kept for the README.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebPageIT {

  /**
   * GPU 0 as DaemonIT's mixed layout; GPU 1 with one 3g GPU instance split into three 1c compute
   * instances, so that the diagram also has to nest compute instances, and one memory slice free.
   */
  static final String LAYOUT =
      """
      version: v1
      mig-configs:
        web:
          - devices: [0]
            mig-enabled: true
            mig-devices: {"3g.20gb": 1, "2g.10gb": 1, "1g.5gb": 2}
          - devices: [1]
            mig-enabled: true
            mig-devices: {"1c.3g.20gb": 3, "1g.5gb": 3}
      """;

  /** Every box's edges against the axis cells of its first and last memory slice. */
  private static final String MISPLACED_BOXES =
      """
      const bad = [];
      for (const dev of document.querySelectorAll('.mig-device')) {
        const box = dev.closest('.gi').getBoundingClientRect();
        const row = dev.closest('.mig-row').getBoundingClientRect();
        const axis = dev.closest('.mig').querySelector('.mig-axis');
        const start = Number(dev.dataset.start), size = Number(dev.dataset.size);
        const first = axis.querySelector(`[data-slice="${start}"]`).getBoundingClientRect();
        const last = axis.querySelector(`[data-slice="${start + size - 1}"]`).getBoundingClientRect();
        if (Math.abs(box.left - first.left) > 1 || Math.abs(box.right - last.right) > 1
            || Math.abs(box.top - row.top) > 1) {
          bad.push(`${dev.dataset.uuid} (${start}:${size}) drawn at x ${box.left}..${box.right},`
              + ` slices span ${first.left}..${last.right}`);
        }
      }
      return bad;
      """;

  @TempDir static Path temp;

  private static SimulatedMigDriver sim;
  private static WebDaemon daemon;
  private static ChromeDriver browser;
  private static WebDriverWait wait;

  @BeforeAll
  static void start() throws IOException {
    Optional<ChromeTools> tools = ChromeTools.find();
    if (tools.isEmpty()) {
      return; // each test is skipped (or fails in CI), with the hint, by needsTheBrowser()
    }
    sim = SimulatedMigDriver.inMemory(SimulatedNodeSpec.parse("a100-40gb:2"));
    daemon = new WebDaemon(temp.resolve("home"), sim);
    WebDaemon.Reply applied =
        daemon.post("/api/v1/layout/apply", Map.of("config", LAYOUT, "select", "web"));
    assertThat(applied.status()).as(applied.body()).isEqualTo(200);
    Files.createDirectories(target());
    browser = tools.get().start(temp.resolve("chromium"), target().resolve("chromedriver.log"));
    // The viewport itself 1280×800 (a window of that size has less room for the page).
    browser.executeCdpCommand(
        "Emulation.setDeviceMetricsOverride",
        Map.of("width", 1280, "height", 800, "deviceScaleFactor", 1, "mobile", false));
    wait = new WebDriverWait(browser, Duration.ofSeconds(30));
    wait.ignoring(StaleElementReferenceException.class);
  }

  @AfterAll
  static void stop() {
    try {
      if (browser != null) {
        browser.quit();
      }
    } finally {
      if (daemon != null) {
        daemon.close();
      }
    }
  }

  /**
   * Forgets the page's token and gives it {@code token} through the token dialog: the page starts
   * over without a token, asks for one, and starts over again with it.
   */
  private static void signInAs(String token) {
    // "Forget token" when one is set (the page then asks by itself), else "Set token".
    browser.findElement(By.id("token-button")).click();
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token-input"))).sendKeys(token);
    browser.findElement(By.id("token-save")).click();
  }

  /** Console errors a test provokes on purpose (a refused request), by a part of their text. */
  private final List<String> expectedConsoleErrors = new ArrayList<>();

  @BeforeEach
  void needsTheBrowser() {
    RequiredTools.fromEnvironment().require(browser != null, () -> ChromeTools.INSTALL_HINT);
  }

  @AfterEach
  void theConsoleHasNoErrors() {
    if (browser == null) {
      return;
    }
    List<String> errors = new ArrayList<>();
    for (LogEntry e : browser.manage().logs().get(LogType.BROWSER)) {
      if (e.getLevel().intValue() >= Level.SEVERE.intValue()
          && expectedConsoleErrors.stream().noneMatch(e.getMessage()::contains)) {
        errors.add(e.getMessage());
      }
    }
    assertThat(errors).as("errors in the browser's console").isEmpty();
  }

  @Test
  @Order(1)
  void asksForTheTokenBeforeItReadsThenDrawsEachGpuAsItsMemorySlicesWithEveryInstanceOverIt() {
    JsonNode gpus = daemon.get("/api/v1/gpus").json();
    Set<String> expected = new HashSet<>();
    Map<String, Integer> unallocated = new java.util.TreeMap<>();
    for (JsonNode gpu : gpus) {
      Set<Integer> covered = new HashSet<>();
      for (JsonNode i : gpu.get("instances")) {
        expected.add(
            String.join(
                "|",
                gpu.get("index").asText(),
                i.get("uuid").asText(),
                i.get("start").asText(),
                i.get("size").asText(),
                i.get("profile").asText()));
        for (int s = i.get("start").asInt();
            s < i.get("start").asInt() + i.get("size").asInt();
            s++) {
          covered.add(s);
        }
      }
      unallocated.put(gpu.get("index").asText(), gpu.get("memorySlices").asInt() - covered.size());
    }
    assertThat(expected).as("the layout's MIG devices").hasSize(4 + 6);

    browser.get(daemon.url("/").toString());
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token-input")));
    assertThat(browser.findElement(By.id("token-reason")).getText())
        .contains("needs the daemon's token");
    assertThat(browser.findElements(By.cssSelector(".mig-device")))
        .as("nothing is read before the token is given")
        .isEmpty();
    browser.findElement(By.id("token-input")).sendKeys(daemon.token);
    browser.findElement(By.id("token-save")).click();
    wait.until(d -> drawnDevices().size() == expected.size());

    assertThat(drawnDevices()).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(script(MISPLACED_BOXES)).as("boxes not over their memory slices").isEmpty();
    Map<String, Integer> drawnEmpty = new java.util.TreeMap<>();
    for (String gpu : unallocated.keySet()) {
      drawnEmpty.put(
          gpu,
          browser.findElements(By.cssSelector(".gpu[data-gpu='" + gpu + "'] .slot-empty")).size());
    }
    assertThat(drawnEmpty).isEqualTo(unallocated).isEqualTo(Map.of("0", 0, "1", 1));
    assertThat(browser.findElements(By.cssSelector(".mig-device[data-state='free']")))
        .hasSize(expected.size());
    assertThat(browser.findElements(By.cssSelector(".gi-shared .ci.mig-device")))
        .as("the compute instances drawn inside their shared GPU instance")
        .hasSize(3)
        .allSatisfy(ci -> assertThat(ci.getDomAttribute("data-profile")).isEqualTo("1c.3g.20gb"));
  }

  @Test
  @Order(2)
  void asksAgainWhenTheDaemonRefusesTheTokenThenSubmitsAJobThroughTheForm() {
    browser.get(daemon.url("/").toString());
    browser.executeScript("sessionStorage.setItem('migctl.token', 'not-the-token')");
    browser.navigate().refresh();

    expectedConsoleErrors.add("Failed to load resource: the server responded with a status of 401");
    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(
            By.id("token-reason"), "The daemon refused the token"));
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token-input")))
        .sendKeys(daemon.token);
    browser.findElement(By.id("token-save")).click();
    wait.until(
        ExpectedConditions.presenceOfElementLocated(
            By.cssSelector("#job-gpu option[value='1g.5gb']")));

    browser.findElement(By.id("job-name")).sendKeys("web-smoke");
    browser.findElement(By.id("job-command")).sendKeys("echo 'hello from' the \"page\"");
    new Select(browser.findElement(By.id("job-gpu"))).selectByValue("1g.5gb");
    browser.findElement(By.id("submit-button")).click();

    By row =
        By.xpath(
            "//tbody[@id='jobs-body']/tr[.//button[@data-action='log'"
                + " and normalize-space()='web-smoke']]");
    wait.until(ExpectedConditions.attributeToBe(row, "data-state", "succeeded"));
    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(
            By.id("log-text"), "hello from the page"));

    assertThat(browser.executeScript("return sessionStorage.getItem('migctl.token')"))
        .isEqualTo(daemon.token);
    assertThat(browser.findElement(By.id("submit-result")).getText())
        .matches("Job \\d+ submitted\\.");
    JsonNode job = daemon.get("/api/v1/jobs?name=web-smoke").json().get(0);
    assertThat(job.get("state").asText()).isEqualTo("succeeded");
    assertThat(job.get("command").toString())
        .isEqualTo("[\"echo\",\"hello from\",\"the\",\"page\"]");
    assertThat(job.get("device").get("profile").asText()).isEqualTo("1g.5gb");
  }

  @Test
  @Order(3)
  void showsJobsForeignProcessesAndTheQueueOnABusyNodeCancelsAJobAndKeepsAScreenshot()
      throws IOException {
    JsonNode gpus = daemon.get("/api/v1/gpus").json();
    String foreign = null;
    for (JsonNode inst : gpus.get(1).get("instances")) {
      if (inst.get("profile").asText().equals("1g.5gb")) {
        foreign = inst.get("uuid").asText();
      }
    }
    assertThat(foreign).as("a 1g.5gb device on GPU 1").isNotNull();
    sim.hold(foreign, 4242);
    List<Long> jobs = new ArrayList<>();
    try {
      jobs.add(submit("train-resnet", "3g.20gb", "research"));
      jobs.add(submit("eval-bert", "2g.10gb", "research"));
      jobs.add(submit("notebook", "1g.5gb", "prod"));
      jobs.add(submit("sweep-a", "1c.3g.20gb", "research"));
      jobs.add(submit("sweep-b", "1c.3g.20gb", "research"));
      jobs.add(submit("finetune-llama", "3g.20gb", "research"));

      // The tab is on the page's origin already: the token is there before the page reads.
      browser.executeScript("sessionStorage.setItem('migctl.token', arguments[0])", daemon.token);
      browser.get(daemon.url("/").toString());
      wait.until(d -> d.findElements(By.cssSelector(".mig-device[data-state='job']")).size() == 5);
      wait.until(
          ExpectedConditions.presenceOfElementLocated(
              By.cssSelector(".mig-device[data-state='foreign'][data-uuid='" + foreign + "']")));
      By queued = By.cssSelector("#jobs-body tr[data-job='" + jobs.getLast() + "'] td.why");
      wait.until(d -> !d.findElement(queued).getText().isBlank());
      wait.until(
          ExpectedConditions.presenceOfElementLocated(By.cssSelector("#mem-chart .uplot canvas")));
      wait.until(
          ExpectedConditions.presenceOfElementLocated(
              By.cssSelector("#queue-chart .uplot canvas")));

      browser
          .findElement(
              By.cssSelector(
                  "#jobs-body tr[data-job='" + jobs.get(0) + "'] button[data-action='log']"))
          .click();
      wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("log-text"), "step 3"));
      assertThat(browser.findElement(queued).getText()).isNotBlank();

      // The whole page at 1280 px wide for the README, and what a 1280×800 window shows.
      browser.executeScript("window.scrollTo(0, 0)");
      Files.write(
          target().resolve("web-page-viewport.png"), browser.getScreenshotAs(OutputType.BYTES));
      Map<String, Object> full =
          browser.executeCdpCommand(
              "Page.captureScreenshot", Map.of("captureBeyondViewport", true, "format", "png"));
      byte[] png = Base64.getDecoder().decode((String) full.get("data"));
      Path shot = target().resolve("web-page.png");
      Files.write(shot, png);
      assertThat(png).hasSizeGreaterThan(10_000);
      // The README's screenshot is refreshed only on request: -Dmigctl.updateScreenshot=true.
      Optional<Path> docs =
          Boolean.getBoolean("migctl.updateScreenshot") ? docs() : Optional.empty();
      if (docs.isPresent()) {
        Files.createDirectories(docs.get());
        Files.copy(shot, docs.get().resolve("web-page.png"), StandardCopyOption.REPLACE_EXISTING);
      }

      By queuedRow = By.cssSelector("#jobs-body tr[data-job='" + jobs.getLast() + "']");
      browser.findElement(queuedRow).findElement(By.cssSelector("[data-action='cancel']")).click();
      wait.until(ExpectedConditions.alertIsPresent()).accept();
      wait.until(ExpectedConditions.attributeToBe(queuedRow, "data-state", "cancelled"));
      assertThat(daemon.get("/api/v1/jobs/" + jobs.getLast()).json().get("state").asText())
          .isEqualTo("cancelled");
    } finally {
      for (long id : jobs) {
        daemon.post("/api/v1/jobs/" + id + "/cancel", Map.of());
      }
      sim.release(foreign, Optional.empty());
      for (long id : jobs) {
        wait.until(d -> isTerminal(daemon.get("/api/v1/jobs/" + id).json()));
      }
    }
  }

  @Test
  @Order(4)
  void aTenantsPageSaysWhoIsSignedInAndShowsThatTenantsJobsOnly() {
    browser.get(daemon.url("/").toString());
    wait.until(ExpectedConditions.textToBe(By.id("principal"), "operator · all tenants"));
    assertThat(daemon.post("/api/v1/tenants", Map.of("name", "prod")).status()).isEqualTo(201);
    String prod = daemon.post("/api/v1/tenants/prod/token", Map.of()).json().get("token").asText();
    List<Long> jobs = new ArrayList<>();
    try {
      long mine = submit("prod-serve", "1g.5gb", "prod");
      long theirs = submit("research-secret", "1g.5gb", "research");
      jobs.addAll(List.of(mine, theirs));
      daemon.post("/api/v1/jobs/" + mine + "/cancel", Map.of());

      // Signed in through the page's own dialog, over whatever the operator's page followed: the
      // page lets go of it (the daemon would answer 404 to prod for another tenant's log).
      signInAs(prod);
      wait.until(ExpectedConditions.textToBe(By.id("principal"), "tenant prod"));
      By row = By.cssSelector("#jobs-body tr[data-job='" + mine + "']");
      wait.until(ExpectedConditions.attributeToBe(row, "data-state", "cancelled"));

      List<String> shown =
          browser.findElements(By.cssSelector("#jobs-body tr[data-job]")).stream()
              .map(r -> r.getDomAttribute("data-job"))
              .toList();
      List<String> prodJobs = new ArrayList<>();
      daemon
          .get("/api/v1/jobs?tenant=prod")
          .json()
          .forEach(j -> prodJobs.add(j.get("id").asText()));
      assertThat(shown).containsExactlyInAnyOrderElementsOf(prodJobs).contains(Long.toString(mine));
      assertThat(shown).doesNotContain(Long.toString(theirs));
      String theirDevice =
          daemon.get("/api/v1/jobs/" + theirs).json().get("device").get("uuid").asText();
      By other = By.cssSelector(".mig-device[data-state='other']");
      wait.until(d -> !d.findElements(other).isEmpty());
      assertThat(browser.findElements(other))
          .as("another tenant's device is drawn as such, not as a stray process")
          .extracting(e -> e.getDomAttribute("data-uuid"))
          .containsExactly(theirDevice);
      assertThat(browser.findElement(By.tagName("body")).getText())
          .as("nothing of another tenant's job, in the table or the diagram")
          .doesNotContain("research-secret")
          .contains("another tenant's job");

      signInAs(daemon.token);
      wait.until(ExpectedConditions.textToBe(By.id("principal"), "operator · all tenants"));
      wait.until(
          ExpectedConditions.presenceOfElementLocated(
              By.cssSelector("#jobs-body tr[data-job='" + theirs + "']")));
    } finally {
      for (long id : jobs) {
        daemon.post("/api/v1/jobs/" + id + "/cancel", Map.of());
      }
      for (long id : jobs) {
        wait.until(d -> isTerminal(daemon.get("/api/v1/jobs/" + id).json()));
      }
    }
  }

  private static long submit(String name, String profile, String tenant) {
    String script =
        "i=0; while [ $i -lt 3000 ]; do i=$((i+1));"
            + " echo \"step $i loss 0.$((9000 - i * 2))\"; sleep 0.1; done";
    WebDaemon.Reply r =
        daemon.post(
            "/api/v1/jobs",
            Map.of(
                "name",
                name,
                "command",
                List.of("sh", "-c", script),
                "gpu",
                profile,
                "tenant",
                tenant));
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return r.json().get("id").asLong();
  }

  private static boolean isTerminal(JsonNode job) {
    return Set.of("succeeded", "failed", "cancelled", "lost").contains(job.get("state").asText());
  }

  /** What the page drew: "gpu|uuid|start|size|profile" for every MIG device box. */
  private static List<String> drawnDevices() {
    return script(
        """
        return [...document.querySelectorAll('.mig-device')].map(e => [
          e.closest('.gpu').dataset.gpu, e.dataset.uuid, e.dataset.start, e.dataset.size,
          e.dataset.profile].join('|'));
        """);
  }

  @SuppressWarnings("unchecked")
  private static List<String> script(String js) {
    return (List<String>) browser.executeScript(js);
  }

  private static Path target() {
    return Path.of(System.getProperty("basedir", ".")).toAbsolutePath().resolve("target");
  }

  /** The repository's docs/ folder, when the module sits in a checkout of the repository. */
  private static Optional<Path> docs() {
    Path root = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().getParent();
    return root != null && Files.isRegularFile(root.resolve("mvnw"))
        ? Optional.of(root.resolve("docs"))
        : Optional.empty();
  }
}
