package org.waldur.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClasspathRoutesTest {

    @TempDir
    Path dir;

    @Test
    void listsTheRouteFilesOfAJarInOrderAndNothingElse() throws Exception {
        Path jar = dir.resolve("agent.jar");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(jar))) {
            for (String name : List.of("routes/", "routes/20-b.camel.yaml", "routes/10-a.camel.yaml", "routes/notes.txt",
                    "routes/old/05-x.camel.yaml", "other/30-c.camel.yaml", "application.properties")) {
                zip.putNextEntry(new ZipEntry(name));
                zip.write("x".getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        }
        assertThat(ClasspathRoutes.includePattern(jar))
                .isEqualTo("classpath:routes/10-a.camel.yaml,classpath:routes/20-b.camel.yaml");
    }

    @Test
    void listsTheRouteFilesOfAClassesDirectory() throws Exception {
        Files.createDirectories(dir.resolve("routes/old"));
        for (String name : List.of("routes/20-b.camel.yaml", "routes/10-a.camel.yaml", "routes/readme.md", "routes/old/05-x.camel.yaml")) {
            Files.writeString(dir.resolve(name), "x");
        }
        assertThat(ClasspathRoutes.includePattern(dir))
                .isEqualTo("classpath:routes/10-a.camel.yaml,classpath:routes/20-b.camel.yaml");
    }

    @Test
    void fallsBackToCamelsWildcardWhenThereIsNothingToList() throws Exception {
        assertThat(ClasspathRoutes.includePattern(dir)).isEqualTo(ClasspathRoutes.WILDCARD);
        Path jar = dir.resolve("empty.jar");
        try (OutputStream out = Files.newOutputStream(jar); ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry("routes/readme.md"));
            zip.closeEntry();
        }
        assertThat(ClasspathRoutes.includePattern(jar)).isEqualTo(ClasspathRoutes.WILDCARD);
    }

    @Test
    void theAgentsOwnClassesNameEveryPackagedRouteFile() throws Exception {
        List<String> packaged;
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            packaged = files.map(f -> "classpath:routes/" + f.getFileName()).filter(n -> n.endsWith(".camel.yaml")).sorted()
                    .collect(Collectors.toList());
        }
        assertThat(packaged).hasSizeGreaterThan(10);
        assertThat(Arrays.asList(ClasspathRoutes.includePattern().split(","))).isEqualTo(packaged);
    }
}
