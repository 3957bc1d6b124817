package dev.felix.dist;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The fenced code blocks of a Markdown document, with where they are and what their fence says. */
final class ReadmeBlocks {
    /** The info string word that marks a block as shown, not run: an output sample, a fragment of another tool's file. */
    static final String NO_RUN = "no-run";

    private static final Pattern FENCE = Pattern.compile("^ {0,3}```\\s*(\\S*)\\s*(.*)$");
    private static final Pattern SECTION = Pattern.compile("^## (.+)$");

    private ReadmeBlocks() {
    }

    /**
     * One block.
     *
     * @param line    the line of its opening fence, from 1
     * @param lang    the first word of the info string ("" when none)
     * @param flags   the other words of the info string
     * @param text    its content, without the fences
     * @param section the level-2 heading it is under
     */
    record Block(int line, String lang, Set<String> flags, String text, String section) {
        boolean runs() {
            return !flags.contains(NO_RUN);
        }

        @Override
        public String toString() {
            return "README.md:" + line + " (" + (lang.isEmpty() ? "no language" : lang) + ", " + section + ")";
        }
    }

    static List<Block> parse(String markdown) {
        List<Block> blocks = new ArrayList<>();
        String[] lines = markdown.split("\n", -1);
        String section = "(top)";
        for (int i = 0; i < lines.length; i++) {
            Matcher heading = SECTION.matcher(lines[i]);
            if (heading.matches()) {
                section = heading.group(1);
                continue;
            }
            Matcher open = FENCE.matcher(lines[i]);
            if (!open.matches()) {
                continue;
            }
            int start = i;
            StringBuilder text = new StringBuilder();
            for (i++; i < lines.length && !lines[i].strip().equals("```"); i++) {
                text.append(lines[i]).append('\n');
            }
            Set<String> flags = open.group(2).isBlank() ? Set.of() : Set.of(open.group(2).trim().split("\\s+"));
            blocks.add(new Block(start + 1, open.group(1), flags, text.toString(), section));
        }
        return blocks;
    }
}
