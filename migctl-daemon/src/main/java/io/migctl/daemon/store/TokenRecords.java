package io.migctl.daemon.store;

import io.migctl.core.tenant.Principal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The API tokens the daemon accepts, each the operator's or one tenant's. Only each token's SHA-256
 * is stored, never the token; {@link #resolve} compares digests in constant time.
 */
public final class TokenRecords {

  /**
   * A stored token, without the token.
   *
   * @param tenant the tenant it acts for; empty for an operator token
   */
  public record TokenRecord(
      long id, Instant createdAt, String description, Optional<String> tenant) {}

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final MessageDigest SHA_256 = sha256Digest();

  private static MessageDigest sha256Digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
  }

  /** A stored digest and who its token acts for. */
  private record Stored(byte[] sha256, Principal principal) {}

  private final Database db;

  /**
   * Every stored digest, which each request with a token asks for; a write to the tokens or the
   * tenants (removing a tenant removes its tokens) reads them anew.
   */
  private final ReadCache<List<Stored>> all;

  public TokenRecords(Database db) {
    this.db = Objects.requireNonNull(db, "db");
    this.all = new ReadCache<>(db.tenantsAndTokens());
  }

  /**
   * Stores the digest of an operator token.
   *
   * @return the token's id, to remove it later
   * @throws IllegalArgumentException when the token is blank or already stored
   */
  public long add(String token, String description, Instant at) {
    return add(token, description, Optional.empty(), at);
  }

  /**
   * A new random token for {@code tenant}, stored by its digest; with {@code rotate}, the tenant's
   * other tokens are revoked in the same transaction.
   *
   * @return the token, which is stored nowhere: show it once
   * @throws StoreException when the tenant has no record (the foreign key refuses it)
   */
  public String issue(String tenant, boolean rotate, Instant at) {
    byte[] raw = new byte[32];
    RANDOM.nextBytes(raw);
    String token = "mt_" + HexFormat.of().formatHex(raw);
    write(
        "issue a token for tenant " + tenant,
        c -> {
          if (rotate) {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM tokens WHERE tenant = ?")) {
              s.setString(1, tenant);
              s.executeUpdate();
            }
          }
          return add(token, "tenant " + tenant, Optional.of(tenant), at);
        });
    return token;
  }

  private long add(String token, String description, Optional<String> tenant, Instant at) {
    if (token == null || token.isBlank()) {
      throw new IllegalArgumentException("a token must not be blank");
    }
    String digest = HexFormat.of().formatHex(sha256(token));
    return write(
        "add token",
        c -> {
          try (PreparedStatement q = c.prepareStatement("SELECT 1 FROM tokens WHERE sha256 = ?")) {
            q.setString(1, digest);
            try (ResultSet rs = q.executeQuery()) {
              if (rs.next()) {
                throw new IllegalArgumentException(
                    "this token is already stored; generate a new one");
              }
            }
          }
          try (PreparedStatement s =
              c.prepareStatement(
                  "INSERT INTO tokens (sha256, created_at, description, tenant)"
                      + " VALUES (?, ?, ?, ?)")) {
            s.setString(1, digest);
            s.setString(2, at.toString());
            s.setString(3, Objects.requireNonNull(description, "description"));
            SqlValues.setText(s, 4, tenant);
            s.executeUpdate();
          }
          return SqlValues.lastRowId(c);
        });
  }

  /**
   * Who {@code token} acts for, if it is one of the stored tokens: the operator or a tenant. Its
   * digest is compared with every stored digest in constant time, so the time taken tells nothing
   * about how close it came.
   */
  public Optional<Principal> resolve(String token) {
    if (token == null) {
      return Optional.empty();
    }
    byte[] presented = sha256(token);
    Optional<Principal> found = Optional.empty();
    for (Stored stored : all.get(this::readAll)) {
      if (MessageDigest.isEqual(stored.sha256(), presented)) {
        found = Optional.of(stored.principal());
      }
    }
    return found;
  }

  private List<Stored> readAll() {
    return db.read(
        "check token",
        c -> {
          List<Stored> out = new ArrayList<>();
          try (ResultSet rs =
              db.statements(c).prepared("SELECT sha256, tenant FROM tokens").executeQuery()) {
            while (rs.next()) {
              String tenant = rs.getString(2);
              out.add(
                  new Stored(
                      HexFormat.of().parseHex(rs.getString(1)),
                      tenant == null ? Principal.OPERATOR : new Principal.Member(tenant)));
            }
          }
          return List.copyOf(out);
        });
  }

  /** A write to the tokens table, after which the digests are read again. */
  private <T> T write(String what, Database.SqlWork<T> work) {
    return all.write(() -> db.inTransaction(what, work));
  }

  /** Whether {@code token} is one of the stored tokens, the operator's or a tenant's. */
  public boolean matches(String token) {
    return resolve(token).isPresent();
  }

  /** Whether no token is stored. */
  public boolean isEmpty() {
    return db.read(
        "count tokens",
        c -> {
          try (Statement s = c.createStatement();
              ResultSet rs = s.executeQuery("SELECT EXISTS (SELECT 1 FROM tokens)")) {
            return !rs.next() || rs.getInt(1) == 0;
          }
        });
  }

  /** The stored tokens, oldest first, without the tokens. */
  public List<TokenRecord> list() {
    return db.read(
        "list tokens",
        c -> {
          List<TokenRecord> out = new ArrayList<>();
          try (Statement s = c.createStatement();
              ResultSet rs =
                  s.executeQuery(
                      "SELECT id, created_at, description, tenant FROM tokens ORDER BY id")) {
            while (rs.next()) {
              out.add(
                  new TokenRecord(
                      rs.getLong(1),
                      Instant.parse(rs.getString(2)),
                      rs.getString(3),
                      Optional.ofNullable(rs.getString(4))));
            }
          }
          return out;
        });
  }

  /**
   * Revokes a token.
   *
   * @return whether a token had that id
   */
  public boolean remove(long id) {
    return write(
        "remove token " + id,
        c -> {
          try (PreparedStatement s = c.prepareStatement("DELETE FROM tokens WHERE id = ?")) {
            s.setLong(1, id);
            return s.executeUpdate() > 0;
          }
        });
  }

  private static byte[] sha256(String token) {
    try {
      // A copy of one digest: cheaper than looking the algorithm up for every request.
      MessageDigest digest = (MessageDigest) SHA_256.clone();
      return digest.digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException("this JVM's SHA-256 cannot be copied", e);
    }
  }
}
