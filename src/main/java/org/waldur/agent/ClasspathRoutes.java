package org.waldur.agent;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The route files packaged with the agent, as an explicit Camel routes include pattern.
 * <p>
 * A wildcard such as {@code classpath:routes/*.camel.yaml} makes Camel walk the whole jar with a
 * {@code JarInputStream}, inflating every entry of the 40 MB fat jar, twice (routes and modeline):
 * a third of the main thread's start-up CPU in the benchmark. Reading the jar's central directory lists the same
 * files in milliseconds.
 */
final class ClasspathRoutes {

    static final String WILDCARD = "classpath:routes/*.camel.yaml";
    private static final Pattern ROUTE_FILE = Pattern.compile("routes/[^/]+\\.camel\\.yaml");

    private ClasspathRoutes() {
    }

    /** {@code classpath:routes/10-a.camel.yaml,classpath:routes/20-b.camel.yaml,...}, or the wildcard when the files cannot be listed. */
    static String includePattern() {
        CodeSource source = ClasspathRoutes.class.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            return WILDCARD;
        }
        try {
            return includePattern(Path.of(source.getLocation().toURI()));
        } catch (URISyntaxException | IllegalArgumentException | IOException e) {
            return WILDCARD;
        }
    }

    /** {@code location}: the agent's jar, or the directory its classes were loaded from. */
    static String includePattern(Path location) throws IOException {
        List<String> names;
        if (Files.isDirectory(location)) {
            if (!Files.isDirectory(location.resolve("routes"))) {
                return WILDCARD;
            }
            try (Stream<Path> files = Files.list(location.resolve("routes"))) {
                names = routeFiles(files.map(f -> "routes/" + f.getFileName()));
            }
        } else {
            try (ZipFile jar = new ZipFile(location.toFile())) {
                names = routeFiles(jar.stream().map(ZipEntry::getName));
            }
        }
        return names.isEmpty() ? WILDCARD : names.stream().map(n -> "classpath:" + n).collect(Collectors.joining(","));
    }

    private static List<String> routeFiles(Stream<String> paths) {
        return paths.filter(n -> ROUTE_FILE.matcher(n).matches()).sorted().collect(Collectors.toList());
    }
}
