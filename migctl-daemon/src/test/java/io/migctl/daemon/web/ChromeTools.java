package io.migctl.daemon.web;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Headless Chromium and its ChromeDriver, found on this machine and never downloaded: both paths
 * are given to Selenium, so Selenium Manager is not asked for anything.
 *
 * <p>{@code MIGCTL_CHROMIUM} and {@code MIGCTL_CHROMEDRIVER} override where they are looked for.
 */
record ChromeTools(Path browser, Path driver) {

  static final String INSTALL_HINT =
      "headless Chromium and ChromeDriver are needed for the browser test; install them with"
          + " 'sudo apt-get install chromium chromium-driver' (Debian/Ubuntu), or point"
          + " MIGCTL_CHROMIUM and MIGCTL_CHROMEDRIVER at a Chrome and a matching chromedriver";

  private static final List<String> BROWSERS =
      List.of(
          "/usr/bin/chromium",
          "/usr/bin/chromium-browser",
          "/usr/bin/google-chrome",
          "/usr/bin/google-chrome-stable");
  private static final List<String> DRIVERS =
      List.of("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver");

  /** Both tools, or empty when either is missing. */
  static Optional<ChromeTools> find() {
    Optional<Path> browser = first("MIGCTL_CHROMIUM", BROWSERS);
    Optional<Path> driver = first("MIGCTL_CHROMEDRIVER", DRIVERS);
    return browser.isPresent() && driver.isPresent()
        ? Optional.of(new ChromeTools(browser.get(), driver.get()))
        : Optional.empty();
  }

  private static Optional<Path> first(String variable, List<String> candidates) {
    String override = System.getenv(variable);
    Stream<String> paths =
        override != null && !override.isBlank() ? Stream.of(override) : candidates.stream();
    return paths.map(Path::of).filter(Files::isExecutable).findFirst();
  }

  /**
   * Starts a headless browser with a fresh profile in {@code profileDir}, a 1280×800 window, and
   * the console log kept for {@link org.openqa.selenium.WebDriver.Options#logs()}.
   */
  ChromeDriver start(Path profileDir, Path driverLog) {
    try {
      Files.createDirectories(profileDir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(driver.toFile())
            .usingAnyFreePort()
            .withLogFile(driverLog.toFile())
            .withTimeout(Duration.ofSeconds(30))
            .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(browser.toFile());
    options.addArguments(
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        "--disable-extensions",
        "--no-first-run",
        "--no-default-browser-check",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
        "--window-size=1280,800",
        "--user-data-dir=" + profileDir.toAbsolutePath());
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    options.setExperimentalOption("prefs", Map.of("credentials_enable_service", false));
    return new ChromeDriver(service, options);
  }
}
