package io.migctl.env.spec;

import io.migctl.core.env.SpecText;
import io.migctl.core.input.InputLimits;
import io.migctl.core.input.InvalidTextException;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.composer.Composer;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.events.ScalarEvent;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.parser.Parser;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.scanner.StreamReader;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * Composes one YAML 1.2 document (core schema, no duplicate or recursive keys) within {@link
 * InputLimits}: at most {@link InputLimits#MAX_DEPTH} levels of mappings and lists, strings of at
 * most {@link InputLimits#MAX_STRING_CHARS} characters and {@link InputLimits#MAX_YAML_ALIASES}
 * aliases.
 *
 * <p>Why a parser in between: SnakeYAML Engine 2.10's {@code LoadSettings} bounds code points and
 * aliases but not nesting, and its composer recurses once per level, so a few KB of {@code [[[…}
 * overflow the stack. Its parser is iterative: the events are counted as the composer pulls them,
 * and the document is refused at the first event past a bound, before the composer is deeper than
 * {@link InputLimits#MAX_DEPTH} levels.
 */
final class BoundedYaml {

  private BoundedYaml() {}

  /**
   * The document's root node, if the text has one.
   *
   * @throws InvalidTextException naming {@code source}, the bound and where, when a bound is passed
   * @throws org.snakeyaml.engine.v2.exceptions.YamlEngineException when the text is not YAML
   */
  static Optional<Node> compose(String text, String source) {
    LoadSettings settings =
        LoadSettings.builder()
            .setLabel(source)
            .setSchema(new CoreSchema())
            .setAllowDuplicateKeys(false)
            .setAllowRecursiveKeys(false)
            .setMaxAliasesForCollections(InputLimits.MAX_YAML_ALIASES)
            .setCodePointLimit(InputLimits.MAX_FILE_BYTES)
            .setUseMarks(true)
            .build();
    Parser events =
        new CountingParser(new ParserImpl(settings, new StreamReader(settings, text)), source);
    return new Composer(settings, events).getSingleNode();
  }

  /** Passes events through, refusing the document at the first one past a bound. */
  private static final class CountingParser implements Parser {
    private final Parser parser;
    private final String source;
    private int depth;
    private int aliases;
    private boolean rootIsMapping;
    private int rootChildren;
    private String topLevelKey = "";

    CountingParser(Parser parser, String source) {
      this.parser = parser;
      this.source = source;
    }

    @Override
    public boolean checkEvent(Event.ID choice) {
      return parser.checkEvent(choice);
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
      Event.ID id = event.getEventId();
      if (depth == 1 && rootIsMapping && isNode(id)) {
        rootChildren++;
        if (rootChildren % 2 == 1) {
          topLevelKey = event instanceof ScalarEvent key ? key.getValue() : "";
        }
      }
      switch (id) {
        case MappingStart, SequenceStart -> {
          if (depth == 0) {
            rootIsMapping = id == Event.ID.MappingStart;
          }
          if (++depth > InputLimits.MAX_DEPTH) {
            throw new InvalidTextException(InputLimits.tooDeep(source, where(event)));
          }
        }
        case MappingEnd, SequenceEnd -> depth--;
        case Scalar -> {
          if (((ScalarEvent) event).getValue().length() > InputLimits.MAX_STRING_CHARS) {
            throw new InvalidTextException(InputLimits.stringTooLong(source, where(event)));
          }
        }
        case Alias -> {
          if (++aliases > InputLimits.MAX_YAML_ALIASES) {
            throw new InvalidTextException(
                source
                    + ": uses more than "
                    + InputLimits.MAX_YAML_ALIASES
                    + " aliases (*name) ("
                    + where(event)
                    + "); migctl reads at most "
                    + InputLimits.MAX_YAML_ALIASES
                    + " in one file");
          }
        }
        default -> {}
      }
      return event;
    }

    private static boolean isNode(Event.ID id) {
      return id == Event.ID.Scalar
          || id == Event.ID.Alias
          || id == Event.ID.MappingStart
          || id == Event.ID.SequenceStart;
    }

    /** {@code line N, in KEY}: the line of the event and the top-level key it is under. */
    private String where(Event event) {
      String line = event.getStartMark().map(Mark::getLine).map(l -> "line " + (l + 1)).orElse("");
      String key = topLevelKey.isEmpty() ? "" : "in " + SpecText.abbreviate(topLevelKey);
      return line.isEmpty() || key.isEmpty() ? line + key : line + ", " + key;
    }
  }
}
