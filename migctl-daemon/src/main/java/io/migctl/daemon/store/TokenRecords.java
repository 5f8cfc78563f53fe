package io.migctl.daemon.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * The API tokens the daemon accepts. Only each token's SHA-256 is stored, never the token; {@link
 * #matches} compares digests in constant time.
 */
public final class TokenRecords {

  /** A stored token, without the token. */
  public record TokenRecord(long id, Instant createdAt, String description) {}

  private final Database db;

  public TokenRecords(Database db) {
    this.db = Objects.requireNonNull(db, "db");
  }

  /**
   * Stores the digest of {@code token}.
   *
   * @return the token's id, to remove it later
   * @throws IllegalArgumentException when the token is blank or already stored
   */
  public long add(String token, String description, Instant at) {
    if (token == null || token.isBlank()) {
      throw new IllegalArgumentException("a token must not be blank");
    }
    String digest = HexFormat.of().formatHex(sha256(token));
    return db.inTransaction(
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
                  "INSERT INTO tokens (sha256, created_at, description) VALUES (?, ?, ?)")) {
            s.setString(1, digest);
            s.setString(2, at.toString());
            s.setString(3, Objects.requireNonNull(description, "description"));
            s.executeUpdate();
          }
          return SqlValues.lastRowId(c);
        });
  }

  /**
   * Whether {@code token} is one of the stored tokens. Its digest is compared with every stored
   * digest in constant time, so the time taken tells nothing about how close it came.
   */
  public boolean matches(String token) {
    if (token == null) {
      return false;
    }
    byte[] presented = sha256(token);
    List<byte[]> stored =
        db.read(
            "check token",
            c -> {
              List<byte[]> out = new ArrayList<>();
              try (Statement s = c.createStatement();
                  ResultSet rs = s.executeQuery("SELECT sha256 FROM tokens")) {
                while (rs.next()) {
                  out.add(HexFormat.of().parseHex(rs.getString(1)));
                }
              }
              return out;
            });
    boolean match = false;
    for (byte[] digest : stored) {
      match |= MessageDigest.isEqual(digest, presented);
    }
    return match;
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
                  s.executeQuery("SELECT id, created_at, description FROM tokens ORDER BY id")) {
            while (rs.next()) {
              out.add(
                  new TokenRecord(rs.getLong(1), Instant.parse(rs.getString(2)), rs.getString(3)));
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
    return db.inTransaction(
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
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-256", e);
    }
  }
}
