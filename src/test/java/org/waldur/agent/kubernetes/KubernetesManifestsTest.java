package org.waldur.agent.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.NonValidationKeyword;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.waldur.agent.CommandLine;
import org.waldur.agent.config.ConfigException;
import org.waldur.agent.config.ConfigLoader;

/**
 * The deployment artefacts in {@code kubernetes/} and {@code Containerfile}: every plain manifest is read into
 * fabric8's typed model with no field left over, the values that must agree between files do, the generated
 * ConfigMaps equal {@code routes/} and {@code application.properties}, and the Camel K Integration is valid
 * against the Integration CRD made strict (an unknown field is an error, not silently pruned).
 * Nothing here needs a cluster, an operator or a container engine.
 */
class KubernetesManifestsTest {

    static final Path ROOT = Path.of("").toAbsolutePath();
    static final Path K8S = ROOT.resolve("kubernetes");
    static final Path CONTAINERFILE = ROOT.resolve("Containerfile");
    static final Path INTEGRATION = K8S.resolve("camel-k/integration.yaml");
    /**
     * The CRD of the operator version we target; a shared data file, deliberately not copied into the project.
     * {@code -Dkubernetes.integrationCrd=<file>} points elsewhere (a missing file exercises the 2.4.0 fallback).
     */
    static final Path CRD_2_10_1 = ROOT.resolve(System.getProperty("kubernetes.integrationCrd",
            "../shared/reference/camel-k/camel.apache.org_integrations-2.10.1.yaml")).normalize();
    static final String CRD_2_4_0_RESOURCE = "camel.apache.org_integrations.yaml";
    /** Fields our Integration uses that the camel-k-crds 2.4.0 CRD does not know yet (path in the instance). */
    static final Set<String> FIELDS_AFTER_CAMEL_K_2_4 = Set.of(
            "/spec/traits/health/livenessPort",
            "/spec/traits/health/readinessPort",
            "/spec/traits/health/startupPort");
    static final String REGENERATE = "run: sh kubernetes/generate-configmaps.sh";
    /** Camel's management server port when camel.management.port is not set. */
    static final int CAMEL_MANAGEMENT_DEFAULT_PORT = 9876;

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static Deployment deployment;
    static Container agent;
    static Map<String, Volume> volumes;
    static Map<String, VolumeMount> mounts;
    static Map<String, String> env;
    static Containerfile containerfile;

    @BeforeAll
    static void readDeployment() throws IOException {
        deployment = typed("deployment.yaml", Deployment.class);
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        assertThat(pod.getContainers()).as("containers of the agent pod").hasSize(1);
        agent = pod.getContainers().get(0);
        volumes = byName(pod.getVolumes(), Volume::getName, "volume");
        mounts = byName(agent.getVolumeMounts(), VolumeMount::getName, "volumeMount");
        env = new LinkedHashMap<>();
        for (EnvVar e : agent.getEnv()) {
            assertThat(e.getValueFrom()).as("env %s is a plain value", e.getName()).isNull();
            assertThat(env.put(e.getName(), e.getValue())).as("env %s set twice", e.getName()).isNull();
        }
        containerfile = Containerfile.read(CONTAINERFILE);
    }

    // ---------------------------------------------------------------- plain manifests: parsing

    @Test
    void everyPlainManifestIsATypedObjectWithoutUnknownFields() throws IOException {
        Map<String, Class<? extends HasMetadata>> expected = new TreeMap<>(Map.<String, Class<? extends HasMetadata>>of(
                "configmap-routes.yaml", ConfigMap.class,
                "configmap-properties.yaml", ConfigMap.class,
                "configmap-slurm-conf.example.yaml", ConfigMap.class,
                "secret-waldur-site-agent-config.example.yaml", Secret.class,
                "pvc.yaml", PersistentVolumeClaim.class,
                "deployment.yaml", Deployment.class));
        assertThat(plainManifestFiles()).as("manifests in kubernetes/ (add new ones to this test)")
                .containsExactlyInAnyOrderElementsOf(expected.keySet());
        expected.forEach((file, type) -> {
            HasMetadata object = typed(file, type);
            assertThat(object.getMetadata().getName()).as("%s has a name", file).isNotBlank();
            assertThat(object.getMetadata().getNamespace()).as("%s leaves the namespace to kubectl -n", file).isNull();
            assertThat(object.getMetadata().getLabels()).as("%s labels", file)
                    .containsEntry("app.kubernetes.io/name", "waldur-camel-agent");
        });
    }

    @Test
    void theUnknownFieldCheckFindsMisspelledFields() throws IOException {
        String yaml = Files.readString(K8S.resolve("deployment.yaml"))
                .replace("  strategy:\n", "  stratgy:\n")
                .replace("readinessProbe:", "readinesProbe:");
        HasMetadata object = Serialization.unmarshal(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));
        // fabric8 itself accepts both: it keeps them in "additionalProperties", which the API server would prune
        assertThat(object).isInstanceOf(Deployment.class);
        assertThat(unknownFields(object)).containsExactlyInAnyOrder(
                "$.spec.stratgy", "$.spec.template.spec.containers[0].readinesProbe");
    }

    @Test
    void duplicateKeysAreRejected() {
        String yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n";
        try {
            loadStrictYaml(yaml, "inline");
            fail("a duplicate key was accepted");
        } catch (RuntimeException expected) {
            assertThat(expected).hasMessageContaining("duplicate key");
        }
    }

    @Test
    void kustomizationListsEveryManifestButTheExamples() throws IOException {
        JsonNode kustomization = YAML.readTree(loadStrictYaml(Files.readString(K8S.resolve("kustomization.yaml")), "kustomization.yaml"));
        assertThat(kustomization.path("kind").asText()).isEqualTo("Kustomization");
        List<String> resources = new ArrayList<>();
        kustomization.path("resources").forEach(r -> resources.add(r.asText()));
        List<String> notExamples = plainManifestFiles().stream().filter(f -> !f.endsWith(".example.yaml")).toList();
        assertThat(resources).as("kustomization.yaml resources").containsExactlyInAnyOrderElementsOf(notExamples);
        assertThat(resources).as("examples must never be applied over the site's real Secret/ConfigMap")
                .noneMatch(r -> r.contains("example"));
    }

    // ---------------------------------------------------------------- generated ConfigMaps

    @Test
    void routesConfigMapEqualsTheRoutesFolder() throws IOException {
        ConfigMap routes = typed("configmap-routes.yaml", ConfigMap.class);
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> list = Files.list(ROOT.resolve("routes"))) {
            for (Path f : list.filter(p -> p.getFileName().toString().endsWith(".camel.yaml")).toList()) {
                files.put(f.getFileName().toString(), Files.readString(f));
            }
        }
        assertThat(files).as("routes/").isNotEmpty();
        assertThat(routes.getData().keySet()).as("routes ConfigMap keys; " + REGENERATE)
                .containsExactlyInAnyOrderElementsOf(files.keySet());
        files.forEach((name, content) -> assertThat(routes.getData().get(name))
                .as("routes ConfigMap key %s differs from routes/%s; %s", name, name, REGENERATE)
                .isEqualTo(content));
        assertThat(routes.getBinaryData()).isNullOrEmpty();
        int bytes = routes.getData().values().stream().mapToInt(s -> s.getBytes(StandardCharsets.UTF_8).length).sum();
        assertThat(bytes).as("a ConfigMap holds at most 1 MiB").isLessThan(1024 * 1024);
    }

    @Test
    void propertiesConfigMapEqualsApplicationProperties() throws IOException {
        ConfigMap properties = typed("configmap-properties.yaml", ConfigMap.class);
        assertThat(properties.getData()).as(REGENERATE).containsOnlyKeys("application.properties");
        assertThat(properties.getData().get("application.properties"))
                .as("properties ConfigMap differs from application.properties; " + REGENERATE)
                .isEqualTo(Files.readString(ROOT.resolve("application.properties")));
    }

    /**
     * The kubelet mounts a ConfigMap as symlinks ({@code name -> ..data/name}, {@code ..data -> ..<timestamp>}).
     * Camel must find each route file exactly once there, with the include pattern AgentLauncher uses.
     */
    @Test
    void routesAreFoundOnceInAConfigMapVolumeLayout(@TempDir Path volume) throws Exception {
        ConfigMap routes = typed("configmap-routes.yaml", ConfigMap.class);
        Path timestamped = Files.createDirectory(volume.resolve("..2026_01_01_00_00_00.000000001"));
        for (Map.Entry<String, String> e : routes.getData().entrySet()) {
            Files.writeString(timestamped.resolve(e.getKey()), e.getValue());
        }
        Files.createSymbolicLink(volume.resolve("..data"), volume.relativize(timestamped));
        for (String key : routes.getData().keySet()) {
            Files.createSymbolicLink(volume.resolve(key), Path.of("..data", key));
        }
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            Collection<Resource> found = PluginHelper.getPackageScanResourceResolver(camel)
                    .findResources("file:" + volume.toAbsolutePath() + "/*.camel.yaml");
            List<String> names = found.stream().map(r -> Path.of(r.getLocation().substring("file:".length()))
                    .getFileName().toString()).sorted().toList();
            assertThat(names).as("route files Camel loads from the mounted ConfigMap")
                    .containsExactlyElementsOf(new TreeSet<>(routes.getData().keySet()));
            for (Resource r : found) {
                try (InputStream in = r.getInputStream()) {
                    String name = Path.of(r.getLocation().substring("file:".length())).getFileName().toString();
                    assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(routes.getData().get(name));
                }
            }
        }
    }

    // ---------------------------------------------------------------- Deployment

    @Test
    void oneAgentAtATime() {
        assertThat(deployment.getSpec().getReplicas()).as("replicas").isEqualTo(1);
        assertThat(deployment.getSpec().getStrategy().getType()).as("strategy").isEqualTo("Recreate");
        assertThat(deployment.getSpec().getStrategy().getRollingUpdate()).isNull();
        assertThat(deployment.getSpec().getSelector().getMatchLabels()).as("selector").isNotEmpty();
        assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
                .as("the pod labels contain the selector")
                .containsAllEntriesOf(deployment.getSpec().getSelector().getMatchLabels());
    }

    @Test
    void probesAskTheManagementPortForLivenessAndReadiness() throws IOException {
        int port = managementPort();
        assertThat(port).as("the probes' port").isEqualTo(9876);
        assertThat(agent.getPorts()).extracting(ContainerPort::getContainerPort).contains(port);

        assertHttpProbe("livenessProbe", agent.getLivenessProbe(), "/observe/health/live", port);
        assertHttpProbe("readinessProbe", agent.getReadinessProbe(), "/observe/health/ready", port);
        assertHttpProbe("startupProbe", agent.getStartupProbe(), "/observe/health/live", port);
        int startupBudget = agent.getStartupProbe().getPeriodSeconds() * agent.getStartupProbe().getFailureThreshold();
        assertThat(startupBudget).as("seconds the JVM gets to start before liveness counts").isGreaterThanOrEqualTo(60);
    }

    @Test
    void runsAsNonRootWithAReadOnlyRootFilesystem() {
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        PodSecurityContext podSc = pod.getSecurityContext();
        assertThat(podSc.getRunAsNonRoot()).as("pod runAsNonRoot").isTrue();
        assertThat(podSc.getRunAsUser()).as("pod runAsUser is the image's user").isEqualTo(containerfile.uid());
        assertThat(podSc.getRunAsUser()).isNotZero();
        assertThat(podSc.getFsGroup()).as("fsGroup (data volume and Secret readable/writable)").isNotNull().isNotZero();
        assertThat(podSc.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(pod.getAutomountServiceAccountToken()).as("no Kubernetes API token in the pod").isFalse();
        assertThat(pod.getHostNetwork()).isNotEqualTo(Boolean.TRUE);
        assertThat(pod.getHostPID()).isNotEqualTo(Boolean.TRUE);

        SecurityContext sc = agent.getSecurityContext();
        assertThat(sc.getRunAsNonRoot()).as("container runAsNonRoot").isTrue();
        assertThat(sc.getAllowPrivilegeEscalation()).as("allowPrivilegeEscalation").isFalse();
        assertThat(sc.getPrivileged()).isNotEqualTo(Boolean.TRUE);
        assertThat(sc.getReadOnlyRootFilesystem()).as("readOnlyRootFilesystem").isTrue();
        assertThat(sc.getCapabilities().getDrop()).as("dropped capabilities").containsExactly("ALL");
        assertThat(sc.getCapabilities().getAdd()).as("added capabilities").isNullOrEmpty();

        // with a read-only root, everything the agent writes must be a writable volume
        assertThat(writableMountPaths()).as("writable mounts")
                .containsExactlyInAnyOrder(env.get("AGENT_DATADIR"), "/tmp");
        assertThat(volumes.get(mounts.get("tmp").getName()).getEmptyDir()).as("/tmp is an emptyDir").isNotNull();
    }

    @Test
    void resourcesAndHeapFitTheLimit() {
        ResourceRequirements r = agent.getResources();
        for (String kind : List.of("cpu", "memory")) {
            Quantity request = r.getRequests().get(kind);
            Quantity limit = r.getLimits().get(kind);
            assertThat(request).as("%s request", kind).isNotNull();
            assertThat(limit).as("%s limit", kind).isNotNull();
            assertThat(request.getNumericalAmount()).as("%s request <= limit", kind)
                    .isLessThanOrEqualTo(limit.getNumericalAmount());
        }
        assertThat(Quantity.getAmountInBytes(r.getLimits().get("memory")))
                .as("memory limit").isGreaterThanOrEqualTo(Quantity.getAmountInBytes(new Quantity("384Mi")));
        String javaOpts = env.get("JAVA_OPTS");
        assertThat(javaOpts).as("JAVA_OPTS").containsPattern("-XX:MaxRAMPercentage=\\d+(\\.\\d+)?")
                .doesNotContain("-Xmx");
        double percentage = Double.parseDouble(javaOpts.replaceAll(".*-XX:MaxRAMPercentage=(\\d+(\\.\\d+)?).*", "$1"));
        assertThat(percentage).as("heap share of the memory limit (the rest is metaspace, threads, buffers)")
                .isBetween(25.0, 75.0);
    }

    @Test
    void everyVolumeIsMountedAndEveryMountHasAVolume() {
        assertThat(mounts.keySet()).as("mounted volumes").containsExactlyInAnyOrderElementsOf(volumes.keySet());
        Set<String> paths = new LinkedHashSet<>();
        for (VolumeMount m : agent.getVolumeMounts()) {
            assertThat(paths.add(m.getMountPath())).as("mount path %s used twice", m.getMountPath()).isTrue();
            assertThat(m.getMountPath()).as("absolute mount path").startsWith("/");
        }
        assertThat(agent.getCommand()).as("no command: the image's ENTRYPOINT runs the jar").isNullOrEmpty();
    }

    @Test
    void theConfigFileArgumentPointsIntoTheSecret() throws IOException {
        CommandLine cli = CommandLine.parse(agent.getArgs().toArray(String[]::new));
        assertThat(cli.camelArgs()).as("arguments besides -c").isEmpty();
        Path configFile = cli.configFile();
        assertThat(configFile.isAbsolute()).as("-c %s is absolute", configFile).isTrue();

        VolumeMount mount = mountContaining(configFile.toString());
        Volume volume = volumes.get(mount.getName());
        assertThat(volume.getSecret()).as("the volume holding %s is a Secret", configFile).isNotNull();
        String key = mount.getSubPath() != null && !mount.getSubPath().isEmpty()
                ? mount.getSubPath()
                : Path.of(mount.getMountPath()).relativize(configFile).toString();

        Secret example = typed("secret-waldur-site-agent-config.example.yaml", Secret.class);
        assertThat(volume.getSecret().getSecretName()).as("Secret name").isEqualTo(example.getMetadata().getName());
        assertThat(volume.getSecret().getItems()).as("no key remapping").isNullOrEmpty();
        assertThat(example.getStringData()).as("keys of the example Secret").containsOnlyKeys(key);
        assertThat(key).as("the Secret key is the Python agent's file name").isEqualTo(CommandLine.DEFAULT_CONFIG);
        int mode = volume.getSecret().getDefaultMode();
        boolean readableByPod = (mode & 0004) != 0
                || ((mode & 0040) != 0 && deployment.getSpec().getTemplate().getSpec().getSecurityContext().getFsGroup() != null);
        assertThat(readableByPod).as("Secret file mode %o readable by the agent", mode).isTrue();
        assertThat(mode & 0002).as("Secret file not writable by others").isZero();
        assertThat(mount.getReadOnly()).isTrue();

        assertExampleConfigIsValid(example.getStringData().get(key));
    }

    @Test
    void routesAndPropertiesAreWhereTheAgentLooks() throws IOException {
        String workingDir = agent.getWorkingDir();
        assertThat(workingDir).as("workingDir is the image's WORKDIR").isEqualTo(containerfile.workdir());

        String routesDir = env.get("AGENT_ROUTES_DIR");
        assertThat(routesDir).as("AGENT_ROUTES_DIR is ./routes of the working directory, so the default agrees")
                .isEqualTo(workingDir + "/routes");
        VolumeMount routes = mountAt(routesDir);
        assertThat(routes.getSubPath()).as("the whole ConfigMap is the folder").isNullOrEmpty();
        assertThat(volumes.get(routes.getName()).getConfigMap().getName())
                .isEqualTo(typed("configmap-routes.yaml", ConfigMap.class).getMetadata().getName());

        VolumeMount properties = mountAt(workingDir + "/application.properties");
        ConfigMap propertiesMap = typed("configmap-properties.yaml", ConfigMap.class);
        assertThat(volumes.get(properties.getName()).getConfigMap().getName()).isEqualTo(propertiesMap.getMetadata().getName());
        assertThat(properties.getSubPath()).as("one file from the ConfigMap").isEqualTo("application.properties");
        assertThat(propertiesMap.getData()).containsKey(properties.getSubPath());
    }

    @Test
    void dataIsOnThePersistentVolumeClaim() {
        PersistentVolumeClaim pvc = typed("pvc.yaml", PersistentVolumeClaim.class);
        String dataDir = env.get("AGENT_DATADIR");
        assertThat(dataDir).as("AGENT_DATADIR").isEqualTo("/deployments/data");
        VolumeMount data = mountAt(dataDir);
        assertThat(data.getReadOnly()).isNotEqualTo(Boolean.TRUE);
        assertThat(volumes.get(data.getName()).getPersistentVolumeClaim().getClaimName())
                .isEqualTo(pvc.getMetadata().getName());
        assertThat(pvc.getSpec().getAccessModes()).containsExactly("ReadWriteOnce");
        assertThat(pvc.getSpec().getResources().getRequests()).containsKey("storage");
    }

    @Test
    void slurmConfAndMungeSocketAreMounted() {
        String slurmConf = env.get("SLURM_CONF");
        assertThat(slurmConf).as("SLURM_CONF").isEqualTo("/etc/slurm/slurm.conf");
        VolumeMount conf = mountContaining(slurmConf);
        ConfigMap example = typed("configmap-slurm-conf.example.yaml", ConfigMap.class);
        assertThat(volumes.get(conf.getName()).getConfigMap().getName()).isEqualTo(example.getMetadata().getName());
        assertThat(example.getData()).containsKey(Path.of(conf.getMountPath()).relativize(Path.of(slurmConf)).toString());
        assertThat(example.getData().get("slurm.conf")).as("the minimum sacctmgr needs")
                .contains("ClusterName=", "SlurmctldHost=", "AccountingStorageHost=", "AuthType=auth/munge");

        VolumeMount munge = mountAt("/run/munge");
        assertThat(munge.getReadOnly()).isTrue();
        Volume socket = volumes.get(munge.getName());
        assertThat(socket.getHostPath()).as("munge socket from the node").isNotNull();
        assertThat(socket.getHostPath().getPath()).isEqualTo("/run/munge");
        assertThat(socket.getHostPath().getType()).isEqualTo("Directory");
    }

    // ---------------------------------------------------------------- Containerfile

    @Test
    void containerfileBuildsTheImageTheManifestsExpect() {
        assertThat(containerfile.from()).as("base image").matches("(debian:bookworm.*|eclipse-temurin:17.*)");
        String install = containerfile.all("RUN");
        assertThat(install).as("packages").contains("openjdk-17-jre-headless", "slurm-client", "libmunge2");
        assertThat(containerfile.uid()).as("USER").isEqualTo(1001L);
        assertThat(install).contains("--uid 1001");
        assertThat(containerfile.workdir()).isEqualTo("/deployments");
        assertThat(containerfile.copies()).as("COPY source -> destination")
                .containsEntry("target/waldur-camel-agent.jar", "/deployments/waldur-camel-agent.jar")
                .containsEntry("routes/", "/deployments/routes/")
                .containsEntry("application.properties", "/deployments/application.properties");
        assertThat(containerfile.entrypoint()).as("exec form").isNotEmpty();
    }

    /** The image makes the class data sharing archive for its own jar, and the JVM options of all three ways to run it use it. */
    @Test
    void theImagesArchiveIsTheOneTheJvmOptionsName() throws IOException {
        String archive = "/deployments/waldur-camel-agent.jsa";
        assertThat(containerfile.copies()).containsEntry("bin/create-cds-archive.sh", "/deployments/bin/create-cds-archive.sh");
        assertThat(Files.readAllLines(ROOT.resolve(".dockerignore"))).as("the build context has the script").contains("!bin/create-cds-archive.sh");
        assertThat(containerfile.all("RUN")).as("the archive is made for the jar the image runs")
                .contains("sh /deployments/bin/create-cds-archive.sh " + containerfile.jar() + " " + archive)
                .contains("apt-get install -y --no-install-recommends python3");
        assertThat(containerfile.all("ENV")).contains("-XX:SharedArchiveFile=" + archive);
        assertThat(env.get("JAVA_OPTS").split(" ")).as("Deployment JAVA_OPTS").contains("-XX:SharedArchiveFile=" + archive);
    }

    /** Runs the image's ENTRYPOINT with a stand-in {@code java} that prints the arguments it gets. */
    @Test
    void entrypointPassesJavaOptsAndTheDeploymentsArguments(@TempDir Path bin) throws Exception {
        Path fakeJava = bin.resolve("java");
        Files.writeString(fakeJava, "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done\n");
        assertThat(fakeJava.toFile().setExecutable(true)).isTrue();

        List<String> command = new ArrayList<>(containerfile.entrypoint());
        command.addAll(agent.getArgs());
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("PATH", bin + ":/usr/bin:/bin");
        pb.environment().put("JAVA_OPTS", env.get("JAVA_OPTS"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();

        List<String> expected = new ArrayList<>(List.of(env.get("JAVA_OPTS").split(" ")));
        expected.addAll(List.of("-jar", containerfile.jar()));
        expected.addAll(agent.getArgs());
        assertThat(out.lines().toList()).as("java's arguments").containsExactlyElementsOf(expected);
    }

    // ---------------------------------------------------------------- Camel K Integration

    @Test
    void integrationIsValidAgainstTheStrictCrd() throws IOException {
        JsonNode integration = integration();
        if (Files.isRegularFile(CRD_2_10_1)) {
            assertThat(messages(strictSchema2101().validate(integration)))
                    .as("Integration against the strict Camel K 2.10.1 CRD").isEmpty();
        } else {
            System.out.println("NOTICE: " + CRD_2_10_1 + " not found: the Integration is checked against the older CRD"
                    + " of camel-k-crds 2.4.0 only; " + FIELDS_AFTER_CAMEL_K_2_4 + " are not checked.");
            assertValidExceptFieldsAfter24(integration);
        }
    }

    /** Always run, so the fallback used without the 2.10.1 CRD is known to work and its exception list is exact. */
    @Test
    void integrationIsValidAgainstTheCamelK24CrdExceptForNewerFields() throws IOException {
        assertValidExceptFieldsAfter24(integration());
    }

    @Test
    void theStrictCrdRejectsBrokenIntegrations() throws IOException {
        JsonSchema strict = Files.isRegularFile(CRD_2_10_1) ? strictSchema2101() : strictSchema(crd24());
        JsonSchema lenient = Files.isRegularFile(CRD_2_10_1) ? schema(crdSchema(YAML.readTree(CRD_2_10_1.toFile())))
                : schema(crdSchema(crd24()));

        Map<String, Consumer<ObjectNode>> breakages = new LinkedHashMap<>();
        breakages.put("misspelled trait field mount.hotreload", i -> obj(traits(i), "mount").put("hotreload", true));
        breakages.put("misspelled trait field health.livenesProbe", i -> {
            ObjectNode health = obj(traits(i), "health");
            health.set("livenesProbe", health.remove("livenessProbe"));
        });
        breakages.put("unknown trait helth", i -> traits(i).set("helth", traits(i).get("health")));
        breakages.put("unknown spec field replica", i -> ((ObjectNode) i.get("spec")).set("replica", ((ObjectNode) i.get("spec")).remove("replicas")));
        for (Map.Entry<String, Consumer<ObjectNode>> b : breakages.entrySet()) {
            ObjectNode broken = integration().deepCopy();
            b.getValue().accept(broken);
            assertThat(messages(strict.validate(broken))).as("strict CRD rejects: " + b.getKey()).isNotEmpty()
                    .anyMatch(m -> m.contains("additionalProperties") || m.contains("is not defined in the schema"));
            // what strictness adds: the CRD as the API server has it accepts these, and prunes the field silently
            assertThat(messages(lenient.validate(broken))).as("unmodified CRD accepts: " + b.getKey()).isEmpty();
        }

        Map<String, Consumer<ObjectNode>> wrongValues = new LinkedHashMap<>();
        wrongValues.put("replicas: \"one\"", i -> ((ObjectNode) i.get("spec")).put("replicas", "one"));
        wrongValues.put("deployment.strategy: Recreat", i -> obj(traits(i), "deployment").put("strategy", "Recreat"));
        wrongValues.put("mount.resources as a string", i -> obj(traits(i), "mount").put("resources", "configmap:x"));
        wrongValues.put("health.livenessPort as a string", i -> obj(traits(i), "health").put("livenessPort", "management"));
        for (Map.Entry<String, Consumer<ObjectNode>> b : wrongValues.entrySet()) {
            ObjectNode broken = integration().deepCopy();
            b.getValue().accept(broken);
            assertThat(messages(strict.validate(broken))).as("CRD rejects: " + b.getKey()).isNotEmpty();
        }
    }

    @Test
    void integrationRunsTheSameImageAndSettingsAsTheDeployment() throws IOException {
        JsonNode it = integration();
        JsonNode t = it.path("spec").path("traits");
        assertThat(it.path("apiVersion").asText()).isEqualTo("camel.apache.org/v1");
        assertThat(it.path("kind").asText()).isEqualTo("Integration");
        assertThat(it.path("spec").path("replicas").asInt(-1)).as("replicas").isEqualTo(1);
        assertThat(t.path("deployment").path("strategy").asText()).as("deployment.strategy").isEqualTo("Recreate");
        assertThat(t.path("camel").path("runtimeVersion").asText()).as("camel.runtimeVersion pinned to one catalog")
                .matches("\\d+\\.\\d+\\.\\d+");
        assertThat(it.path("spec").has("sources") || it.path("spec").has("flows")).as("self-managed: no sources").isFalse();

        JsonNode c = t.path("container");
        assertThat(c.path("image").asText()).as("image").isEqualTo(agent.getImage());
        assertThat(t.path("jvm").path("jar").asText()).as("jvm.jar is the jar the Containerfile copies").isEqualTo(containerfile.jar());
        assertThat(texts(t.path("jvm").path("options"))).as("jvm.options = the Deployment's JAVA_OPTS")
                .containsExactly(env.get("JAVA_OPTS").split(" "));
        assertThat(c.path("requestCPU").asText()).isEqualTo(agent.getResources().getRequests().get("cpu").toString());
        assertThat(c.path("requestMemory").asText()).isEqualTo(agent.getResources().getRequests().get("memory").toString());
        assertThat(c.path("limitCPU").asText()).isEqualTo(agent.getResources().getLimits().get("cpu").toString());
        assertThat(c.path("limitMemory").asText()).isEqualTo(agent.getResources().getLimits().get("memory").toString());
        assertThat(c.path("runAsNonRoot").asBoolean()).isTrue();
        assertThat(c.path("runAsUser").asLong()).isEqualTo(containerfile.uid());
        assertThat(c.path("allowPrivilegeEscalation").isBoolean() && !c.path("allowPrivilegeEscalation").asBoolean())
                .as("container.allowPrivilegeEscalation: false").isTrue();
        assertThat(texts(c.path("capabilitiesDrop"))).containsExactly("ALL");
        assertThat(c.path("port").asInt()).isEqualTo(managementPort());

        // the jvm trait runs "java … -jar <jar>" in /deployments with no program arguments: the config file
        // must be at the agent's default path in that directory
        Map<String, String> resources = new LinkedHashMap<>();
        for (String r : texts(t.path("mount").path("resources"))) {
            Matcher m = MOUNT_RESOURCE.matcher(r);
            assertThat(m.matches()).as("mount resource syntax [configmap|secret]:name[/key][@path]: %s", r).isTrue();
            assertThat(resources.put(m.group(4), r)).as("destination %s used twice", m.group(4)).isNull();
        }
        String workingDir = "/deployments";
        assertThat(containerfile.workdir()).isEqualTo(workingDir);
        ConfigMap routes = typed("configmap-routes.yaml", ConfigMap.class);
        ConfigMap properties = typed("configmap-properties.yaml", ConfigMap.class);
        Secret config = typed("secret-waldur-site-agent-config.example.yaml", Secret.class);
        ConfigMap slurm = typed("configmap-slurm-conf.example.yaml", ConfigMap.class);
        assertThat(resources).as("mount.resources by destination").containsOnly(
                Map.entry(env.get("AGENT_ROUTES_DIR"), "configmap:" + routes.getMetadata().getName() + "@" + env.get("AGENT_ROUTES_DIR")),
                Map.entry(workingDir + "/application.properties",
                        "configmap:" + properties.getMetadata().getName() + "/application.properties@" + workingDir + "/application.properties"),
                Map.entry(workingDir + "/" + CommandLine.DEFAULT_CONFIG,
                        "secret:" + config.getMetadata().getName() + "/" + CommandLine.DEFAULT_CONFIG + "@" + workingDir + "/" + CommandLine.DEFAULT_CONFIG),
                Map.entry(mountContaining(env.get("SLURM_CONF")).getMountPath(),
                        "configmap:" + slurm.getMetadata().getName() + "@" + mountContaining(env.get("SLURM_CONF")).getMountPath()));
        assertThat(t.path("mount").has("configs")).as("no mount.configs: camel-main does not read Camel K's conf.d").isFalse();
        PersistentVolumeClaim pvc = typed("pvc.yaml", PersistentVolumeClaim.class);
        assertThat(texts(t.path("mount").path("volumes"))).as("mount.volumes")
                .containsExactly(pvc.getMetadata().getName() + ":" + env.get("AGENT_DATADIR"));
        assertThat(texts(t.path("mount").path("emptyDirs"))).anyMatch(s -> s.startsWith("tmp:/tmp"));

        Map<String, String> vars = new LinkedHashMap<>();
        for (String v : texts(t.path("environment").path("vars"))) {
            String[] kv = v.split("=", 2);
            assertThat(kv).as("NAME=value: %s", v).hasSize(2);
            vars.put(kv[0], kv[1]);
        }
        Map<String, String> deploymentEnv = new LinkedHashMap<>(env);
        deploymentEnv.remove("JAVA_OPTS");
        assertThat(vars).as("environment.vars = the Deployment's env without JAVA_OPTS (jvm.options)").isEqualTo(deploymentEnv);

        JsonNode h = t.path("health");
        assertThat(h.path("enabled").asBoolean()).as("health.enabled (off by default)").isTrue();
        assertThat(h.path("livenessProbeEnabled").asBoolean()).as("liveness is off by default").isTrue();
        assertThat(h.path("readinessProbeEnabled").asBoolean(true)).isTrue();
        assertThat(h.path("startupProbeEnabled").asBoolean()).isTrue();
        for (String probe : List.of("liveness", "readiness", "startup")) {
            Probe p = switch (probe) {
                case "liveness" -> agent.getLivenessProbe();
                case "readiness" -> agent.getReadinessProbe();
                default -> agent.getStartupProbe();
            };
            assertThat(h.path(probe + "Probe").asText()).as("%s path", probe).isEqualTo(p.getHttpGet().getPath());
            assertThat(h.path(probe + "Port").asInt()).as("%s port (the trait's default is 8080)", probe).isEqualTo(managementPort());
            assertThat(h.path(probe + "Period").asInt()).isEqualTo(p.getPeriodSeconds());
            assertThat(h.path(probe + "FailureThreshold").asInt()).isEqualTo(p.getFailureThreshold());
        }

        // spec.template: what no trait offers (munge hostPath, fsGroup, read-only root)
        JsonNode pod = it.path("spec").path("template").path("spec");
        String containerName = c.path("name").asText("integration");
        JsonNode templateContainer = null;
        for (JsonNode tc : pod.path("containers")) {
            assertThat(tc.path("name").asText()).as("template containers patch the trait-built container only").isEqualTo(containerName);
            templateContainer = tc;
        }
        assertThat(templateContainer).isNotNull();
        assertThat(templateContainer.path("securityContext").path("readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(pod.path("securityContext").path("fsGroup").asLong())
                .isEqualTo(deployment.getSpec().getTemplate().getSpec().getSecurityContext().getFsGroup());
        VolumeMount munge = mountAt("/run/munge");
        JsonNode mungeMount = templateContainer.path("volumeMounts").get(0);
        assertThat(mungeMount.path("mountPath").asText()).isEqualTo(munge.getMountPath());
        JsonNode mungeVolume = null;
        for (JsonNode v : pod.path("volumes")) {
            if (v.path("name").asText().equals(mungeMount.path("name").asText())) {
                mungeVolume = v;
            }
        }
        assertThat(mungeVolume).as("volume of the munge mount").isNotNull();
        assertThat(mungeVolume.path("hostPath").path("path").asText())
                .isEqualTo(volumes.get(munge.getName()).getHostPath().getPath());
    }

    /** [configmap|secret]:name[/key][@path], the syntax of Camel K's mount.resources (groups: kind, name, key, path). */
    static final Pattern MOUNT_RESOURCE = Pattern.compile("^(configmap|secret):([a-z0-9][a-z0-9.-]*)(?:/([\\w.-]+))?@(/[\\w./-]+)$");

    // ---------------------------------------------------------------- helpers: manifests

    static List<String> plainManifestFiles() throws IOException {
        try (Stream<Path> list = Files.list(K8S)) {
            return list.filter(Files::isRegularFile).map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml")).sorted().toList();
        }
    }

    /** One manifest, as fabric8's typed class, rejecting duplicate keys and fields the model does not know. */
    static <T extends HasMetadata> T typed(String file, Class<T> type) {
        try {
            String yaml = Files.readString(K8S.resolve(file));
            loadStrictYaml(yaml, file);
            Object object = Serialization.unmarshal(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));
            assertThat(object).as("%s parsed by fabric8", file).isNotInstanceOf(GenericKubernetesResource.class)
                    .isInstanceOf(type);
            assertThat(unknownFields(object)).as("fields of %s unknown to the Kubernetes model", file).isEmpty();
            return type.cast(object);
        } catch (IOException e) {
            throw new IllegalStateException(file, e);
        }
    }

    /** YAML 1.2 parse with duplicate keys refused (Jackson and fabric8 would keep the last one). */
    static String loadStrictYaml(String yaml, String what) {
        new Load(LoadSettings.builder().setAllowDuplicateKeys(false).setLabel(what).build()).loadFromString(yaml);
        return yaml;
    }

    /**
     * fabric8 keeps fields it does not know in each object's {@code additionalProperties} instead of failing; the
     * API server would prune them silently. Lists the path of every such field in the object tree.
     */
    static List<String> unknownFields(Object root) {
        List<String> out = new ArrayList<>();
        walk(root, "$", out);
        return out;
    }

    private static void walk(Object o, String path, List<String> out) {
        if (o == null) {
            return;
        }
        if (o instanceof Map<?, ?> map) {
            map.forEach((k, v) -> walk(v, path + "." + k, out));
            return;
        }
        if (o instanceof Collection<?> list) {
            int i = 0;
            for (Object item : list) {
                walk(item, path + "[" + i++ + "]", out);
            }
            return;
        }
        Class<?> type = o.getClass();
        if (!type.getName().startsWith("io.fabric8.")) {
            return;
        }
        for (Method m : type.getMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            try {
                if (m.getName().equals("getAdditionalProperties")) {
                    Map<?, ?> extra = (Map<?, ?>) m.invoke(o);
                    if (extra != null) {
                        extra.keySet().forEach(k -> out.add(path + "." + k));
                    }
                } else if (m.isAnnotationPresent(JsonProperty.class)) {
                    walk(m.invoke(o), path + "." + m.getAnnotation(JsonProperty.class).value(), out);
                }
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new IllegalStateException(path + " " + m, e);
            }
        }
    }

    static <T> Map<String, T> byName(List<T> items, java.util.function.Function<T, String> name, String what) {
        Map<String, T> map = new LinkedHashMap<>();
        for (T item : items) {
            assertThat(map.put(name.apply(item), item)).as("%s %s declared twice", what, name.apply(item)).isNull();
        }
        return map;
    }

    static VolumeMount mountAt(String path) {
        return agent.getVolumeMounts().stream().filter(m -> m.getMountPath().equals(path)).findFirst()
                .orElseThrow(() -> new AssertionError("no volume mounted at " + path));
    }

    /** The mount whose path is the file itself or a folder above it (the deepest one). */
    static VolumeMount mountContaining(String file) {
        Path f = Path.of(file);
        return agent.getVolumeMounts().stream().filter(m -> f.startsWith(Path.of(m.getMountPath())))
                .max((a, b) -> Integer.compare(a.getMountPath().length(), b.getMountPath().length()))
                .orElseThrow(() -> new AssertionError("no volume mounted at or above " + file));
    }

    static List<String> writableMountPaths() {
        return agent.getVolumeMounts().stream().filter(m -> !Boolean.TRUE.equals(m.getReadOnly()))
                .map(VolumeMount::getMountPath).toList();
    }

    /** camel.management.port of application.properties (following one {{placeholder}}), or Camel's default. */
    static int managementPort() throws IOException {
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(ROOT.resolve("application.properties"))) {
            p.load(in);
        }
        String port = p.getProperty("camel.management.port", String.valueOf(CAMEL_MANAGEMENT_DEFAULT_PORT)).trim();
        java.util.regex.Matcher placeholder = java.util.regex.Pattern.compile("\\{\\{([^:}]+)(?::([^}]*))?}}").matcher(port);
        if (placeholder.matches()) {
            port = p.getProperty(placeholder.group(1), placeholder.group(2) == null ? "" : placeholder.group(2)).trim();
        }
        assertThat(port).as("camel.management.port in application.properties is a plain number").matches("\\d+");
        return Integer.parseInt(port);
    }

    static void assertHttpProbe(String name, Probe probe, String path, int port) {
        assertThat(probe).as(name).isNotNull();
        HTTPGetAction get = probe.getHttpGet();
        assertThat(get).as("%s is an HTTP GET", name).isNotNull();
        assertThat(get.getPath()).as("%s path", name).isEqualTo(path);
        assertThat(resolvePort(get.getPort())).as("%s port", name).isEqualTo(port);
        assertThat(probe.getPeriodSeconds()).as("%s periodSeconds", name).isNotNull().isPositive();
        assertThat(probe.getTimeoutSeconds()).as("%s timeoutSeconds", name).isNotNull().isPositive();
    }

    static int resolvePort(IntOrString port) {
        if (port.getIntVal() != null) {
            return port.getIntVal();
        }
        return agent.getPorts().stream().filter(p -> port.getStrVal().equals(p.getName()))
                .map(ContainerPort::getContainerPort).findFirst()
                .orElseThrow(() -> new AssertionError("no container port named " + port.getStrVal()));
    }

    /** The example Secret's file is one the agent accepts. */
    static void assertExampleConfigIsValid(String yaml) throws IOException {
        Path file = Files.createTempFile("waldur-site-agent-config", ".yaml");
        try {
            Files.writeString(file, yaml);
            ConfigLoader.load(file);
        } catch (ConfigException e) {
            // the only problem allowed is this machine lacking the SLURM client the image has
            List<String> other = e.problems().stream().filter(p -> !p.contains("sacctmgr")).toList();
            assertThat(other).as("problems in the example site agent file").isEmpty();
            System.out.println("NOTICE: example config checked without SLURM client on this machine: " + e.problems());
        } finally {
            Files.deleteIfExists(file);
        }
    }

    // ---------------------------------------------------------------- helpers: Camel K CRD

    static JsonNode integration() throws IOException {
        String yaml = Files.readString(INTEGRATION);
        loadStrictYaml(yaml, "integration.yaml");
        return YAML.readTree(yaml);
    }

    static ObjectNode traits(ObjectNode integration) {
        return (ObjectNode) integration.get("spec").get("traits");
    }

    static ObjectNode obj(ObjectNode parent, String field) {
        return (ObjectNode) parent.get(field);
    }

    static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    static JsonNode crd24() throws IOException {
        try (InputStream in = KubernetesManifestsTest.class.getClassLoader().getResourceAsStream(CRD_2_4_0_RESOURCE)) {
            assertThat(in).as("%s in camel-k-crds 2.4.0", CRD_2_4_0_RESOURCE).isNotNull();
            return YAML.readTree(in);
        }
    }

    static JsonSchema strictSchema2101() throws IOException {
        return strictSchema(YAML.readTree(CRD_2_10_1.toFile()));
    }

    static JsonSchema strictSchema(JsonNode crd) {
        JsonNode schema = crdSchema(crd).deepCopy();
        makeStrict(schema);
        return schema(schema);
    }

    static JsonSchema schema(JsonNode openApiV3Schema) {
        return SCHEMAS.getSchema(openApiV3Schema);
    }

    /** JSON Schema draft 4 plus Kubernetes' structural-schema extensions, which do not validate anything here. */
    static final JsonSchemaFactory SCHEMAS = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4, f -> f
            .metaSchema(JsonMetaSchema.builder(JsonMetaSchema.getV4())
                    .keywords(Stream.of("x-kubernetes-preserve-unknown-fields", "x-kubernetes-int-or-string",
                                    "x-kubernetes-map-type", "x-kubernetes-list-type", "x-kubernetes-list-map-keys",
                                    "x-kubernetes-embedded-resource", "x-kubernetes-validations")
                            .map(NonValidationKeyword::new).toList())
                    .build()));

    /** spec.versions[name=v1].schema.openAPIV3Schema of the CRD. */
    static JsonNode crdSchema(JsonNode crd) {
        assertThat(crd.path("spec").path("names").path("kind").asText()).isEqualTo("Integration");
        for (JsonNode v : crd.path("spec").path("versions")) {
            if (v.path("name").asText().equals("v1")) {
                return v.path("schema").path("openAPIV3Schema");
            }
        }
        throw new AssertionError("no v1 in the Integration CRD");
    }

    /**
     * additionalProperties: false on every object schema that lists properties and says nothing about other
     * fields: what the API server would prune becomes an error.
     */
    static void makeStrict(JsonNode node) {
        if (node instanceof ObjectNode o) {
            if (o.has("properties") && !o.has("additionalProperties") && !o.has("x-kubernetes-preserve-unknown-fields")) {
                o.put("additionalProperties", false);
            }
            o.path("properties").forEach(KubernetesManifestsTest::makeStrict);
            for (String key : List.of("items", "additionalProperties", "not")) {
                if (o.get(key) != null && o.get(key).isObject()) {
                    makeStrict(o.get(key));
                }
            }
            for (String key : List.of("allOf", "anyOf", "oneOf")) {
                o.path(key).forEach(KubernetesManifestsTest::makeStrict);
            }
        }
    }

    static List<String> messages(Set<ValidationMessage> messages) {
        return messages.stream().map(m -> m.getType() + " " + m.getInstanceLocation() + " " + m.getMessage()).sorted().toList();
    }

    static void assertValidExceptFieldsAfter24(JsonNode integration) throws IOException {
        Set<String> unknownTo24 = new TreeSet<>();
        List<String> other = new ArrayList<>();
        for (ValidationMessage m : strictSchema(crd24()).validate(integration)) {
            String field = jsonPointer(m.getInstanceLocation().toString()) + "/" + m.getProperty();
            if ("additionalProperties".equals(m.getType()) && FIELDS_AFTER_CAMEL_K_2_4.contains(field)) {
                unknownTo24.add(field);
            } else {
                other.add(m.getType() + " " + m.getInstanceLocation() + " " + m.getMessage());
            }
        }
        assertThat(other).as("Integration against the strict Camel K 2.4.0 CRD").isEmpty();
        assertThat(unknownTo24).as("fields newer than Camel K 2.4 (keep FIELDS_AFTER_CAMEL_K_2_4 exact)")
                .containsExactlyInAnyOrderElementsOf(FIELDS_AFTER_CAMEL_K_2_4);
    }

    /** networknt's "$.spec.traits.health" as "/spec/traits/health". */
    static String jsonPointer(String location) {
        return location.replaceFirst("^\\$", "").replace('.', '/');
    }

    // ---------------------------------------------------------------- Containerfile reader

    /** The instructions of a Containerfile, continuation lines joined; only what the tests need. */
    record Containerfile(List<String[]> instructions) {

        static Containerfile read(Path file) throws IOException {
            List<String[]> out = new ArrayList<>();
            StringBuilder current = new StringBuilder();
            for (String line : Files.readAllLines(file)) {
                String trimmed = line.strip();
                if (current.isEmpty() && (trimmed.isEmpty() || trimmed.startsWith("#"))) {
                    continue;
                }
                if (trimmed.startsWith("#")) {
                    continue; // comment inside a continued instruction
                }
                if (trimmed.endsWith("\\")) {
                    current.append(trimmed, 0, trimmed.length() - 1).append(' ');
                    continue;
                }
                current.append(trimmed);
                String[] kv = current.toString().split("\\s+", 2);
                out.add(new String[] {kv[0].toUpperCase(), kv.length > 1 ? kv[1] : ""});
                current.setLength(0);
            }
            assertThat(current.toString()).as("unfinished instruction at the end of " + file).isEmpty();
            return new Containerfile(out);
        }

        List<String> values(String instruction) {
            return instructions.stream().filter(i -> i[0].equals(instruction)).map(i -> i[1]).toList();
        }

        String last(String instruction) {
            List<String> v = values(instruction);
            assertThat(v).as("%s in the Containerfile", instruction).isNotEmpty();
            return v.get(v.size() - 1);
        }

        String all(String instruction) {
            return String.join("\n", values(instruction));
        }

        String from() {
            String from = last("FROM");
            Matcher arg = Pattern.compile("\\$\\{?(\\w+)}?").matcher(from);
            if (arg.matches()) {
                for (String a : values("ARG")) {
                    if (a.startsWith(arg.group(1) + "=")) {
                        return a.substring(a.indexOf('=') + 1);
                    }
                }
            }
            return from;
        }

        String workdir() {
            return last("WORKDIR");
        }

        long uid() {
            return Long.parseLong(last("USER").split(":")[0]);
        }

        Map<String, String> copies() {
            Map<String, String> map = new LinkedHashMap<>();
            for (String c : values("COPY")) {
                String[] parts = Stream.of(c.split("\\s+")).filter(p -> !p.startsWith("--")).toArray(String[]::new);
                assertThat(parts).as("COPY %s: one source", c).hasSize(2);
                map.put(parts[0], parts[1]);
            }
            return map;
        }

        String jar() {
            return copies().get("target/waldur-camel-agent.jar");
        }

        List<String> entrypoint() {
            try {
                JsonNode array = new ObjectMapper().readTree(last("ENTRYPOINT"));
                assertThat(array.isArray()).as("ENTRYPOINT in exec (JSON) form, so Kubernetes args reach the agent").isTrue();
                return texts(array);
            } catch (IOException e) {
                throw new AssertionError("ENTRYPOINT is not a JSON array: " + last("ENTRYPOINT"), e);
            }
        }
    }
}
