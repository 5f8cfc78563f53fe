package io.migctl.input;

import io.migctl.core.env.SpecText;
import io.migctl.core.input.InputLimits;
import io.migctl.core.input.InvalidTextException;
import java.io.StringReader;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.LoadSettingsBuilder;
import org.snakeyaml.engine.v2.common.Anchor;
import org.snakeyaml.engine.v2.composer.Composer;
import org.snakeyaml.engine.v2.events.AliasEvent;
import org.snakeyaml.engine.v2.events.CollectionStartEvent;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.events.MappingStartEvent;
import org.snakeyaml.engine.v2.events.NodeEvent;
import org.snakeyaml.engine.v2.events.ScalarEvent;
import org.snakeyaml.engine.v2.exceptions.ComposerException;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.ReaderException;
import org.snakeyaml.engine.v2.exceptions.ScannerException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.parser.Parser;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.scanner.StreamReader;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * SnakeYAML Engine held to {@link InputLimits}, for every YAML file or string migctl reads.
 *
 * <p>SnakeYAML Engine (3.2) has no nesting limit, and its composer (and every walk over the nodes)
 * recurses once per level, so a few KB of {@code [[[[…} overflow the stack. Its parser, though, is
 * iterative: this class composes from a parser that counts on the event stream and refuses the
 * input as soon as it goes deeper than {@link InputLimits#MAX_DEPTH}, before the composer descends.
 * The count follows aliases: an alias stands for its anchor's whole subtree, so its depth is where
 * it is plus the anchor's height, and its size is the anchor's size. That bounds what a reader
 * walking the tree meets (a "billion laughs" document of nested aliases expands to more values than
 * {@link InputLimits#MAX_FILE_BYTES} and is refused). A recursive alias (one inside its own anchor)
 * is left to the reader, as each has its own way to say so.
 *
 * <p>Also refused: more than {@link InputLimits#MAX_YAML_ALIASES} aliases in one document, a scalar
 * longer than {@link InputLimits#MAX_STRING_CHARS} characters, a text of more than {@link
 * InputLimits#MAX_FILE_BYTES} bytes in UTF-8. Every refusal is an {@link InvalidTextException}
 * whose message starts with the source, names the bound and says where: the line and column, and
 * the top-level key the place is under when the document is a mapping ({@code (line 3, column 67,
 * in dependencies)}). Syntax errors stay SnakeYAML's {@link YamlEngineException}s for the caller to
 * word; a character YAML does not allow is one too, a {@link ForbiddenCharacterException} marked at
 * its line and column. Stateless and thread-safe.
 */
public final class LimitedYaml {

  private LimitedYaml() {}

  /**
   * Load settings with migctl's bounds (code points, aliases) set; callers add their schema and
   * rules.
   */
  public static LoadSettingsBuilder settings() {
    return LoadSettings.builder()
        // Above MAX_FILE_BYTES, so that the size check here speaks first, in our words.
        .setCodePointLimit(InputLimits.MAX_FILE_BYTES + 1)
        .setMaxAliasesForCollections(InputLimits.MAX_YAML_ALIASES);
  }

  /**
   * Settings for the YAML files whose format migctl defines or reads as YAML 1.2 (workloads,
   * environment files): the bounds, the core schema ({@code on} and {@code yes} are strings), each
   * key once, no key that contains itself, and marks for the messages' lines and columns.
   *
   * @param label names the text in SnakeYAML's marks
   */
  public static LoadSettings strictSettings(String label) {
    return settings()
        .setLabel(label)
        .setSchema(new CoreSchema())
        .setAllowDuplicateKeys(false)
        .setAllowRecursiveKeys(false)
        .setUseMarks(true)
        .build();
  }

  /**
   * Every document of {@code text}, composed within the bounds.
   *
   * @param source how messages name the text: a file's path, {@code <stdin>}, {@code request body}
   * @throws InvalidTextException when the text exceeds a bound
   * @throws YamlEngineException when it is not YAML ({@link ForbiddenCharacterException} for a
   *     character YAML does not allow)
   */
  public static List<Node> composeAll(String text, LoadSettings settings, String source) {
    return compose(
        text,
        settings,
        source,
        composer -> {
          List<Node> documents = new ArrayList<>();
          while (composer.hasNext()) {
            documents.add(composer.next());
          }
          return documents;
        });
  }

  /**
   * The one document of {@code text}, composed within the bounds; none when the text has none
   * (empty, or only comments).
   *
   * @param source how messages name the text
   * @throws InvalidTextException when the text exceeds a bound
   * @throws YamlEngineException when it is not YAML, or holds a second document (SnakeYAML's {@code
   *     expected a single document in the stream}, marked where the second one starts)
   */
  public static Optional<Node> composeSingle(String text, LoadSettings settings, String source) {
    return compose(text, settings, source, Composer::getSingleNode);
  }

  /** {@code read} over a composer of {@code text} within the bounds. */
  private static <T> T compose(
      String text, LoadSettings settings, String source, Function<Composer, T> read) {
    // A character is at most 3 bytes of UTF-8, so a shorter text cannot pass the bound.
    if (text.length() > InputLimits.MAX_FILE_BYTES / 3) {
      InputLimits.checkSize(source, utf8Length(text));
    }
    CountingParser events =
        new CountingParser(
            new ParserImpl(settings, new StreamReader(settings, new StringReader(text))),
            source,
            settings.getAllowDuplicateKeys());
    try {
      // The composer pulls the text through the reader as it goes: a refusal comes from here.
      return read.apply(new Composer(settings, events));
    } catch (ReaderException e) {
      throw ForbiddenCharacterException.in(text, settings.getLabel(), e).orElseThrow(() -> e);
    } catch (ScannerException e) {
      // SnakeYAML words an undecodable %-escape with the JDK decoder's text ("Input length = 1").
      if (e.getProblem() != null && e.getProblem().startsWith("expected URI in UTF-8")) {
        throw new ScannerException(
            e.getContext(),
            e.getContextMark(),
            "the %-escapes of a tag are not UTF-8",
            e.getProblemMark());
      }
      throw e;
    } catch (InvalidTextException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      // The composer builds each node's Tag, whose constructor refuses some tags the scanner let
      // through (one ending in a control character that a %-escape made).
      throw new ComposerException(
          "the tag " + events.lastTag() + " is not valid (" + e.getMessage() + ")",
          events.lastMark());
    }
  }

  /** The bytes {@code text} takes in UTF-8, as its file did, counted without encoding it. */
  private static long utf8Length(String text) {
    long bytes = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
    }
    return bytes;
  }

  /** What an anchored node stands for where an alias repeats it. */
  private record Expansion(int height, long size) {}

  /** A collection being read: where it started and how deep and large it has become. */
  private static final class Open {
    final Optional<Anchor> anchor;
    final int depth;
    final long sizeBefore;
    final boolean mapping;
    int deepest;
    int children;
    boolean emptyKey;

    Open(Optional<Anchor> anchor, int depth, long sizeBefore, boolean mapping) {
      this.anchor = anchor;
      this.depth = depth;
      this.sizeBefore = sizeBefore;
      this.mapping = mapping;
      this.deepest = depth;
    }
  }

  /** What the core schema reads as null in a plain scalar. */
  private static final Pattern NULL = Pattern.compile("|~|null|Null|NULL");

  /** A parser that refuses, event by event, a document beyond the bounds. */
  private static final class CountingParser implements Parser {

    private final Parser parser;
    private final String source;
    private final Deque<Open> open = new ArrayDeque<>();
    private final Map<Anchor, Expansion> anchors = new HashMap<>();
    private final boolean allowDuplicateKeys;
    private int aliases;
    private long size;
    private Event last;

    /** Whether the document's root is a mapping, and how many keys and values it has so far. */
    private boolean rootIsMapping;

    private long rootEntries;

    /** The root mapping's key whose value is being read; empty outside one or at a key itself. */
    private String topLevelKey = "";

    /** The tag of the last node read, control characters escaped, for a message. */
    String lastTag() {
      Optional<String> tag =
          switch (last) {
            case ScalarEvent scalar -> scalar.getTag();
            case CollectionStartEvent start -> start.getTag();
            case null, default -> Optional.empty();
          };
      StringBuilder out = new StringBuilder();
      tag.orElse("")
          .codePoints()
          .forEach(
              c ->
                  out.append(
                      c < 0x20 || c == 0x7f ? String.format("\\u%04x", c) : Character.toString(c)));
      return out.toString();
    }

    /** Where the last node read starts. */
    Optional<Mark> lastMark() {
      return last == null ? Optional.empty() : last.getStartMark();
    }

    CountingParser(Parser parser, String source, boolean allowDuplicateKeys) {
      this.parser = parser;
      this.source = source;
      this.allowDuplicateKeys = allowDuplicateKeys;
    }

    /**
     * Refuses a second empty (null) key in one mapping where keys must not repeat: SnakeYAML's
     * constructor fails on it with a NullPointerException instead of calling it a duplicate.
     */
    private void checkEmptyKey(NodeEvent node) {
      Open mapping = open.peek();
      if (mapping == null || !mapping.mapping || mapping.children++ % 2 != 0) {
        return;
      }
      if (node instanceof ScalarEvent key
          && key.isPlain()
          && NULL.matcher(key.getValue()).matches()) {
        if (mapping.emptyKey) {
          throw new ComposerException(
              "the empty key (null) is given twice in one mapping", key.getStartMark());
        }
        mapping.emptyKey = true;
      }
    }

    @Override
    public boolean checkEvent(Event.ID id) {
      return parser.checkEvent(id);
    }

    @Override
    public Event peekEvent() {
      return parser.peekEvent();
    }

    @Override
    public boolean hasNext() {
      return parser.hasNext();
    }

    @Override
    public Event next() {
      Event event = parser.next();
      last = event;
      // The root mapping's nodes alternate key, value: a key node starts a new top-level key.
      boolean isTopLevelKey =
          open.size() == 1 && rootIsMapping && event instanceof NodeEvent && rootEntries++ % 2 == 0;
      if (isTopLevelKey) {
        topLevelKey = ""; // a refusal of the key itself is under no key
      }
      if (!allowDuplicateKeys && event instanceof NodeEvent node) {
        checkEmptyKey(node);
      }
      switch (event) {
        case CollectionStartEvent start -> {
          int depth = open.size() + 1;
          if (depth == 1) {
            rootIsMapping = start instanceof MappingStartEvent;
            rootEntries = 0;
          }
          if (depth > InputLimits.MAX_DEPTH) {
            throw new InvalidTextException(InputLimits.tooDeep(source, where(event)));
          }
          open.push(new Open(start.getAnchor(), depth, size, start instanceof MappingStartEvent));
          grow(1, event);
        }
        case ScalarEvent scalar -> {
          if (scalar.getValue().length() > InputLimits.MAX_STRING_CHARS) {
            throw new InvalidTextException(InputLimits.stringTooLong(source, where(event)));
          }
          scalar.getAnchor().ifPresent(a -> anchors.put(a, new Expansion(0, 1)));
          grow(1, event);
        }
        case AliasEvent alias -> {
          if (++aliases > InputLimits.MAX_YAML_ALIASES) {
            throw new InvalidTextException(
                source
                    + ": more than "
                    + InputLimits.MAX_YAML_ALIASES
                    + " aliases (*name) in one document ("
                    + where(event)
                    + "); migctl reads at most "
                    + InputLimits.MAX_YAML_ALIASES);
          }
          Expansion expansion = anchors.get(alias.getAlias());
          if (expansion != null) {
            int depth = open.size() + expansion.height();
            if (depth > InputLimits.MAX_DEPTH) {
              throw new InvalidTextException(
                  InputLimits.tooDeep(
                      source, place("where the alias at " + at(event) + " expands")));
            }
            if (!open.isEmpty()) {
              open.peek().deepest = Math.max(open.peek().deepest, depth);
            }
            grow(expansion.size(), event);
          }
        }
        default -> {
          if (event.getEventId() == Event.ID.SequenceEnd
              || event.getEventId() == Event.ID.MappingEnd) {
            close();
          } else if (event.getEventId() == Event.ID.DocumentStart) {
            anchors.clear();
            aliases = 0;
            size = 0;
            rootIsMapping = false;
            topLevelKey = "";
          }
        }
      }
      if (isTopLevelKey) {
        topLevelKey = event instanceof ScalarEvent key ? key.getValue() : "";
      }
      return event;
    }

    private void close() {
      Open done = open.pop();
      done.anchor.ifPresent(
          a ->
              anchors.put(a, new Expansion(done.deepest - done.depth + 1, size - done.sizeBefore)));
      if (!open.isEmpty()) {
        open.peek().deepest = Math.max(open.peek().deepest, done.deepest);
      }
    }

    private void grow(long values, Event event) {
      size += values;
      if (size > InputLimits.MAX_FILE_BYTES) {
        throw new InvalidTextException(
            source
                + ": its aliases expand it to more than "
                + InputLimits.MAX_FILE_BYTES
                + " values (at "
                + where(event)
                + "); migctl reads no document that large");
      }
    }

    /** Where {@code event} is: {@code line 3, column 67, in dependencies}. */
    private String where(Event event) {
      return place(at(event));
    }

    /** {@code where}, and the top-level key it is under, if any: {@code line 3, in channels}. */
    private String place(String where) {
      if (topLevelKey.isEmpty()) {
        return where;
      }
      String in = "in " + SpecText.abbreviate(topLevelKey);
      return where.isEmpty() ? in : where + ", " + in;
    }

    private static String at(Event event) {
      return event
          .getStartMark()
          .map((Mark m) -> "line " + (m.getLine() + 1) + ", column " + (m.getColumn() + 1))
          .orElse("");
    }
  }
}
