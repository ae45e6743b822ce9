package org.waldur.agent.sandbox.waldur;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the OpenAPI path template for a concrete request path.
 *
 * <p>The schema has ~1400 templates; they are bucketed by their first two literal segments
 * ({@code api/marketplace-orders}) so a lookup only tries a handful of precompiled regexes.
 * Within a bucket, templates with fewer parameters win, as Django's URL resolver lists literal
 * routes such as {@code .../stats/} before {@code .../{uuid}/}.
 */
final class PathIndex {

    /** A template, its compiled regex and the operations declared on it by method. */
    record Template(String path, Pattern regex, List<String> parameterNames, Map<String, ApiOperation> operations) {

        int parameterCount() {
            return parameterNames.size();
        }
    }

    /** A template that matched, with the captured path parameters. */
    record Match(Template template, Map<String, String> parameters) {
    }

    private static final Pattern PARAMETER = Pattern.compile("\\{([^}/]+)}");
    private static final Comparator<Template> PREFERENCE = Comparator
            .comparingInt(Template::parameterCount)
            .thenComparing(Comparator.comparingInt((Template t) -> t.path().length()).reversed());

    private final Map<String, List<Template>> buckets = new HashMap<>();
    private final List<Template> unbucketed = new ArrayList<>();

    void add(String path, Map<String, ApiOperation> operations) {
        List<String> names = new ArrayList<>();
        StringBuilder regex = new StringBuilder("^");
        Matcher m = PARAMETER.matcher(path);
        int last = 0;
        while (m.find()) {
            regex.append(Pattern.quote(path.substring(last, m.start()))).append("([^/]+)");
            names.add(m.group(1));
            last = m.end();
        }
        regex.append(Pattern.quote(path.substring(last))).append('$');
        Template template = new Template(path, Pattern.compile(regex.toString()), List.copyOf(names), operations);
        String key = bucketKey(path);
        if (key == null) {
            unbucketed.add(template);
            unbucketed.sort(PREFERENCE);
        } else {
            List<Template> bucket = buckets.computeIfAbsent(key, k -> new ArrayList<>());
            bucket.add(template);
            bucket.sort(PREFERENCE);
        }
    }

    Optional<Match> match(String rawPath) {
        String key = bucketKey(rawPath);
        List<Template> bucket = key == null ? List.of() : buckets.getOrDefault(key, List.of());
        Optional<Match> found = firstMatch(bucket, rawPath);
        return found.isPresent() ? found : firstMatch(unbucketed, rawPath);
    }

    private static Optional<Match> firstMatch(List<Template> templates, String rawPath) {
        for (Template t : templates) {
            Matcher m = t.regex().matcher(rawPath);
            if (m.matches()) {
                Map<String, String> params = new LinkedHashMap<>();
                for (int i = 0; i < t.parameterNames().size(); i++) {
                    params.put(t.parameterNames().get(i), m.group(i + 1));
                }
                return Optional.of(new Match(t, params));
            }
        }
        return Optional.empty();
    }

    /** First two segments, or null when a template has a parameter there. */
    private static String bucketKey(String path) {
        String[] segments = path.split("/", -1);
        if (segments.length < 3) {
            return null;
        }
        String first = segments[1];
        String second = segments[2];
        if (first.contains("{") || second.contains("{")) {
            return null;
        }
        return first + "/" + second;
    }
}
