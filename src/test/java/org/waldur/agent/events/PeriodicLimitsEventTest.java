package org.waldur.agent.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonMappingException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.waldur.agent.slurm.AccountLimitType;
import org.waldur.agent.waldur.WaldurJson;

class PeriodicLimitsEventTest {

    private static final String RESOURCE = "0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9";
    private static final String POLICY = "ffeeddccbbaa99887766554433221100";

    private static PeriodicLimitsEvent parse(String json) throws Exception {
        return WaldurJson.MAPPER.readValue(json, PeriodicLimitsEvent.class);
    }

    private static String message(String settings) {
        return "{\"resource_uuid\": \"" + RESOURCE + "\", \"backend_id\": \"hpc_a\", \"policy_uuid\": \"" + POLICY
                + "\", \"action\": \"apply_periodic_settings\", \"settings\": " + settings + "}";
    }

    private static void assertInvalid(String json, String reason) {
        assertThatThrownBy(() -> parse(json)).isInstanceOf(JsonMappingException.class)
                .rootCause().isInstanceOf(InvalidEventException.class).hasMessageContaining(reason);
    }

    @Test
    void readsTheSettingsTheAgentApplies() throws Exception {
        PeriodicLimitsEvent e = parse(message("{\"fairshare\": 333, \"limit_type\": \"grptresmins\","
                + " \"grp_tres_mins\": {\"cpu\": 1000, \"mem\": 2048.9, \"gres/gpu\": -1}, \"reset_raw_usage\": true,"
                + " \"qos_threshold\": {\"cpu\": 800}, \"carryover_details\": {\"x\": 1}}"));
        assertThat(e.getResourceUuid()).isEqualTo("0a1b2c3d4e5f60718293a4b5c6d7e8f9");
        assertThat(e.getPolicyUuid()).isEqualTo(POLICY);
        assertThat(e.getBackendId()).isEqualTo("hpc_a");
        assertThat(e.getFairshare()).isEqualTo(333);
        assertThat(e.getLimitType()).isEqualTo(AccountLimitType.GRP_TRES_MINS);
        assertThat(e.getLimits()).containsExactly(Map.entry("cpu", 1000L), Map.entry("mem", 2048L), Map.entry("gres/gpu", -1L));
        assertThat(e.isResetRawUsage()).isTrue();
        assertThat(e.isQosThreshold()).isTrue();
    }

    @Test
    void withoutSettingsNothingIsApplied() throws Exception {
        PeriodicLimitsEvent e = parse("{\"backend_id\": \"hpc_a\", \"action\": \"apply_periodic_settings\"}");
        assertThat(e.getFairshare()).isNull();
        assertThat(e.getLimitType()).isNull();
        assertThat(e.getLimits()).isEmpty();
        assertThat(e.isResetRawUsage()).isFalse();
        assertThat(e.isQosThreshold()).isFalse();
        assertThat(e.getPolicyUuid()).isNull();
        assertThat(e.getResourceUuid()).isNull();
    }

    @Test
    void maxTresMinsIsUsedWhenItIsTheOnlyOneOrTheLimitTypeAsksForIt() throws Exception {
        assertThat(parse(message("{\"max_tres_mins\": {\"cpu\": 5}}")).getLimits()).containsExactly(Map.entry("cpu", 5L));
        assertThat(parse(message("{\"limit_type\": \"MaxTRESMins\", \"grp_tres_mins\": {\"cpu\": 1},"
                + " \"max_tres_mins\": {\"cpu\": 2}}")).getLimits()).containsExactly(Map.entry("cpu", 2L));
        assertThat(parse(message("{\"limit_type\": \"GrpTRES\", \"grp_tres_mins\": {\"cpu\": 1},"
                + " \"max_tres_mins\": {\"cpu\": 2}}")).getLimits()).containsExactly(Map.entry("cpu", 1L));
    }

    @Test
    void theActionMustBeApplyPeriodicSettings() {
        assertInvalid("{\"backend_id\": \"hpc_a\", \"action\": \"reset\"}", "action must be apply_periodic_settings");
        assertInvalid("{\"backend_id\": \"hpc_a\"}", "action must be apply_periodic_settings, got null");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"\"", "\"-x\"", "\"a b\"", "\"where\"", "null"})
    void theBackendIdMustBeAnAccountName(String backendId) {
        assertInvalid("{\"backend_id\": " + backendId + ", \"action\": \"apply_periodic_settings\"}", "backend_id");
    }

    @Test
    void aReportNeedsTheResource() {
        assertInvalid("{\"backend_id\": \"hpc_a\", \"policy_uuid\": \"" + POLICY + "\", \"action\": \"apply_periodic_settings\"}",
                "resource_uuid is needed");
        assertInvalid("{\"backend_id\": \"hpc_a\", \"resource_uuid\": \"r1\", \"action\": \"apply_periodic_settings\"}",
                "resource_uuid must be a UUID");
    }

    @Test
    void settingsWithWrongTypesOrValuesAreInvalid() {
        assertInvalid(message("{\"fairshare\": \"100\"}"), "settings.fairshare must be a whole number");
        assertInvalid(message("{\"fairshare\": 1.5}"), "settings.fairshare must be a whole number");
        assertInvalid(message("{\"fairshare\": -1}"), "settings.fairshare must be between 0");
        assertInvalid(message("{\"limit_type\": \"GrpJobs\"}"), "Unknown limit type");
        assertInvalid(message("{\"grp_tres_mins\": {\"cpu\": \"10\"}}"), "settings.grp_tres_mins.cpu must be a number");
        assertInvalid(message("{\"grp_tres_mins\": {\"cpu\": -2}}"), "must be -1 or more");
        assertInvalid(message("{\"grp_tres_mins\": {\"cpu=1,mem\": 2}}"), "TRES name");
        assertInvalid(message("{\"grp_tres_mins\": [1]}"), "must be an object");
        assertInvalid(message("{\"reset_raw_usage\": \"yes\"}"), "settings.reset_raw_usage must be true or false");
        assertInvalid(message("[]"), "settings must be an object");
    }
}
