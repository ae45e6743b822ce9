package org.waldur.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    @Test
    void readsThePythonAgentsFileUnchanged() {
        AgentConfig config = ConfigLoader.load(Path.of("src/test/resources/config/python-agent-example.yaml"));

        assertThat(config.offerings()).hasSize(2);
        assertThat(config.timezone()).isEqualTo("Europe/Tallinn");
        OfferingConfig first = config.offerings().get(0);
        assertThat(first.offeringUuidHex()).isEqualTo("d629d5e45567425da9cdbdc1af67b32c");
        assertThat(first.mqttEnabled()).isTrue();
        assertThat(first.verifySsl()).isTrue();
        assertThat(first.waldurBaseUrl()).isEqualTo("https://waldur.example.com");
        assertThat(first.effectiveBrokerUrl()).isEqualTo("wss://waldur.example.com:443/rmqws");
        assertThat(first.backendSettings().allocationPrefix()).isEqualTo("hpc_");
        assertThat(first.backendSettings().qosPaused()).isEqualTo("paused");
        assertThat(first.backendComponents().get("cpu").unitFactor()).isEqualTo(60000.0);
        assertThat(first.backendComponents().get("mem").limit()).isEqualTo(10.0);
        OfferingConfig second = config.offerings().get(1);
        assertThat(second.mqttEnabled()).isFalse();
        assertThat(second.backendSettings().qosDefault()).isEqualTo("normal");
        assertThat(second.waldurBaseUrl()).isEqualTo("http://waldur.internal:8080");
    }

    @Test
    void stripsOnlyALiteralApiSuffixFromTheUrl() throws Exception {
        // the Python agent's rstrip("/api") turned this host into https://hpc.l
        AgentConfig config = load(minimal("https://hpc.lapi/api/"));
        assertThat(config.offerings().get(0).waldurBaseUrl()).isEqualTo("https://hpc.lapi");
    }

    @Test
    void reportsEveryMissingKeyWithTheOfferingName() throws Exception {
        Path file = write("""
                offerings:
                  - name: "HPC"
                    waldur_api_url: "ftp://x"
                    waldur_offering_uuid: "not-a-uuid"
                    order_processing_backend: "slurm"
                    backend_settings:
                      customer_prefix: "a;b"
                      slurm_bin_path: "/bin"
                """);
        assertThatThrownBy(() -> ConfigLoader.load(file))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactlyInAnyOrder(
                        "offering 'HPC' (offerings[0]): 'waldur_api_url' must start with one of [http://, https://]",
                        "offering 'HPC' (offerings[0]): 'waldur_api_token' is missing",
                        "offering 'HPC' (offerings[0]): 'waldur_offering_uuid' must be a UUID (32 hex digits, dashes allowed)",
                        "offering 'HPC' (offerings[0]): 'backend_type' is missing",
                        "offering 'HPC' (offerings[0]): backend_settings.default_account is missing",
                        "offering 'HPC' (offerings[0]): backend_settings.customer_prefix may contain only letters, digits, '_', '-' and '.'"));
    }

    @Test
    void aWrongTypeNamesTheKeyButNotTheValue() throws Exception {
        Path file = write("""
                offerings:
                  - name: "HPC"
                    waldur_api_url: "https://w.example.com/api/"
                    waldur_api_token: "secret-token-value"
                    waldur_offering_uuid: "d629d5e45567425da9cdbdc1af67b32c"
                    backend_type: slurm
                    mqtt_enabled: "secret-token-value"
                """);
        assertThatThrownBy(() -> ConfigLoader.load(file))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("offering 'HPC' (offerings[0]): key 'offerings[0].mqtt_enabled' has the wrong type (expected true or false)")
                .hasMessageNotContaining("secret-token-value");
    }

    @Test
    void unsupportedBackendAndBadSlurmPathAreRefused() throws Exception {
        Path file = write("""
                offerings:
                  - name: "HPC"
                    waldur_api_url: "https://w.example.com/api/"
                    waldur_api_token: "t"
                    waldur_offering_uuid: "d629d5e45567425da9cdbdc1af67b32c"
                    backend_type: slurm
                    order_processing_backend: moab
                    membership_sync_backend: slurm
                    backend_settings:
                      default_account: root
                      default_account_policy: everyone
                      slurm_bin_path: "/nonexistent/bin"
                    backend_components:
                      GPU:
                        unit_factor: 0
                """);
        assertThatThrownBy(() -> ConfigLoader.load(file))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).contains(
                        "offering 'HPC' (offerings[0]): order_processing_backend 'moab' is not supported (supported: [slurm], or empty)",
                        "offering 'HPC' (offerings[0]): backend_settings.slurm_bin_path: /nonexistent/bin is not a directory",
                        "offering 'HPC' (offerings[0]): backend_settings.default_account_policy must be common, individual or none",
                        "offering 'HPC' (offerings[0]): backend_components.GPU: the component key must be a SLURM TRES name such as cpu, mem or gres/gpu",
                        "offering 'HPC' (offerings[0]): backend_components.GPU.unit_factor must be a positive number"));
    }

    @Test
    void anUnknownPeriodicLimitTypeIsRefusedWhenPeriodicLimitsAreEnabled() throws Exception {
        String yaml = """
                offerings:
                  - name: "HPC"
                    waldur_api_url: "https://w.example.com/api/"
                    waldur_api_token: "t"
                    waldur_offering_uuid: "d629d5e45567425da9cdbdc1af67b32c"
                    backend_type: slurm
                    backend_settings:
                      default_account: root
                      slurm_bin_path: "/nonexistent/bin"
                      periodic_limits:
                        enabled: %s
                        limit_type: GrpJobs
                """;
        assertThatThrownBy(() -> ConfigLoader.load(write(yaml.formatted("true"))))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).contains(
                        "offering 'HPC' (offerings[0]): backend_settings.periodic_limits.limit_type: Unknown limit type \"GrpJobs\":"
                                + " expected GrpTRESMins, MaxTRESMins or GrpTRES"));
        // disabled: neither the limit type nor the SLURM settings are used, so neither is checked
        assertThat(load(yaml.formatted("false")).offerings()).hasSize(1);
    }

    @Test
    void aMissingFileAndBrokenYamlAreClearErrors() throws Exception {
        assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("nope.yaml")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("does not exist (use -c <file>)");
        assertThatThrownBy(() -> ConfigLoader.load(write("offerings: [\n")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("is not valid YAML");
        assertThatThrownBy(() -> ConfigLoader.load(write("offerings: []\n")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("at least one offering is required");
    }

    private String minimal(String url) {
        return """
                offerings:
                  - name: "HPC"
                    waldur_api_url: "%s"
                    waldur_api_token: "t"
                    waldur_offering_uuid: "d629d5e45567425da9cdbdc1af67b32c"
                    backend_type: slurm
                """.formatted(url);
    }

    private AgentConfig load(String yaml) throws Exception {
        return ConfigLoader.load(write(yaml));
    }

    private Path write(String yaml) throws Exception {
        Path file = Files.createTempFile(dir, "config", ".yaml");
        Files.writeString(file, yaml);
        return file;
    }
}
