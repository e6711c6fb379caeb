package selflengthen.model.chat;

import java.util.ArrayList;
import java.util.List;

/**
 * Applies jinja2's whitespace rules to a template's source before Jinjava parses it, because
 * Jinjava ignores "-" on expression tags and handles block dashes differently: dashes
 * ({{- -}} {%- -%} {#- -#}) strip all adjacent whitespace, trim_blocks drops the first newline
 * after a block or comment tag, lstrip_blocks drops spaces and tabs between a line start and a
 * block or comment tag ("+" opts a tag out of either), comments disappear, and a single trailing
 * newline of the template goes (keep_trailing_newline=False). Those are the settings transformers
 * renders chat templates with.
 */
final class JinjaWhitespace {
  private JinjaWhitespace() {}

  private enum Kind { DATA, VARIABLE, BLOCK, COMMENT }

  private record Piece(Kind kind, String text, boolean dashLeft, boolean dashRight,
      boolean plusLeft, boolean plusRight) {}

  static String apply(String source) {
    if (source.endsWith("\n")) {
      source = source.substring(0, source.length() - 1);
    }
    List<Piece> pieces = lex(source);
    StringBuilder out = new StringBuilder(source.length());
    for (int i = 0; i < pieces.size(); i++) {
      Piece p = pieces.get(i);
      if (p.kind() != Kind.DATA) {
        switch (p.kind()) {
          case VARIABLE -> out.append("{{").append(p.text()).append("}}");
          case BLOCK -> out.append("{%").append(p.text()).append("%}");
          default -> { }
        }
        continue;
      }
      String data = p.text();
      Piece before = i > 0 ? pieces.get(i - 1) : null;
      Piece after = i + 1 < pieces.size() ? pieces.get(i + 1) : null;
      if (after != null) {
        if (after.dashLeft()) {
          data = stripEnd(data);
        } else if (isStatement(after) && !after.plusLeft()) {
          int nl = data.lastIndexOf('\n');
          String tail = data.substring(nl + 1);
          boolean lineStart = nl >= 0 || before == null;
          if (lineStart && tail.chars().allMatch(c -> c == ' ' || c == '\t')) {
            data = data.substring(0, nl + 1);
          }
        }
      }
      if (before != null) {
        if (before.dashRight()) {
          data = stripStart(data);
        } else if (isStatement(before) && !before.plusRight()) {
          if (data.startsWith("\r\n")) {
            data = data.substring(2);
          } else if (data.startsWith("\n")) {
            data = data.substring(1);
          }
        }
      }
      out.append(data);
    }
    return out.toString();
  }

  private static boolean isStatement(Piece p) {
    return p.kind() == Kind.BLOCK || p.kind() == Kind.COMMENT;
  }

  private static List<Piece> lex(String s) {
    List<Piece> out = new ArrayList<>();
    int pos = 0;
    StringBuilder data = new StringBuilder();
    while (pos < s.length()) {
      int open = nextOpen(s, pos);
      if (open < 0) {
        data.append(s, pos, s.length());
        break;
      }
      data.append(s, pos, open);
      char type = s.charAt(open + 1);
      int innerStart = open + 2;
      boolean dashLeft = innerStart < s.length() && s.charAt(innerStart) == '-';
      boolean plusLeft = innerStart < s.length() && s.charAt(innerStart) == '+';
      if (dashLeft || plusLeft) {
        innerStart++;
      }
      String closer = type == '{' ? "}}" : type == '%' ? "%}" : "#}";
      int close = type == '#' ? s.indexOf(closer, innerStart) : findClose(s, innerStart, closer);
      if (close < 0) {
        throw new IllegalArgumentException("unclosed tag at offset " + open + " of the chat template");
      }
      int innerEnd = close;
      boolean dashRight = innerEnd > innerStart && s.charAt(innerEnd - 1) == '-';
      boolean plusRight = innerEnd > innerStart && s.charAt(innerEnd - 1) == '+';
      if (dashRight || plusRight) {
        innerEnd--;
      }
      out.add(new Piece(Kind.DATA, data.toString(), false, false, false, false));
      data.setLength(0);
      Kind kind = type == '{' ? Kind.VARIABLE : type == '%' ? Kind.BLOCK : Kind.COMMENT;
      String inner = s.substring(innerStart, innerEnd);
      out.add(new Piece(kind, inner, dashLeft, dashRight, plusLeft, plusRight));
      pos = close + 2;
      if (kind == Kind.BLOCK && inner.trim().equals("raw")) {
        int end = findEndRaw(s, pos);
        out.add(new Piece(Kind.DATA, "", false, false, false, false));
        out.add(new Piece(Kind.DATA, s.substring(pos, end), false, false, false, false));
        pos = end;
      }
    }
    out.add(new Piece(Kind.DATA, data.toString(), false, false, false, false));
    // merge adjacent data pieces so that each tag has at most one data neighbour per side
    List<Piece> merged = new ArrayList<>();
    for (Piece p : out) {
      if (p.kind() == Kind.DATA && !merged.isEmpty()
          && merged.get(merged.size() - 1).kind() == Kind.DATA) {
        Piece last = merged.remove(merged.size() - 1);
        merged.add(new Piece(Kind.DATA, last.text() + p.text(), false, false, false, false));
      } else {
        merged.add(p);
      }
    }
    return merged;
  }

  private static int nextOpen(String s, int from) {
    for (int i = from; i + 1 < s.length(); i++) {
      if (s.charAt(i) == '{') {
        char c = s.charAt(i + 1);
        if (c == '{' || c == '%' || c == '#') {
          return i;
        }
      }
    }
    return -1;
  }

  /** The closer's offset, skipping string literals inside the tag. */
  private static int findClose(String s, int from, String closer) {
    char quote = 0;
    for (int i = from; i + 1 < s.length(); i++) {
      char c = s.charAt(i);
      if (quote != 0) {
        if (c == '\\') {
          i++;
        } else if (c == quote) {
          quote = 0;
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
      } else if (s.startsWith(closer, i)) {
        return i;
      }
    }
    return -1;
  }

  private static int findEndRaw(String s, int from) {
    int i = from;
    while (true) {
      int open = s.indexOf("{%", i);
      if (open < 0) {
        return s.length();
      }
      int close = s.indexOf("%}", open);
      String inner = s.substring(open + 2, close < 0 ? s.length() : close).replace("-", "").trim();
      if (inner.equals("endraw")) {
        return open;
      }
      i = open + 2;
    }
  }

  private static String stripStart(String s) {
    int i = 0;
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
    return s.substring(i);
  }

  private static String stripEnd(String s) {
    int i = s.length();
    while (i > 0 && Character.isWhitespace(s.charAt(i - 1))) {
      i--;
    }
    return s.substring(0, i);
  }
}
