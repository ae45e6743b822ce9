package org.waldur.agent.system;

import org.waldur.agent.sandbox.waldur.FakeWaldur;
import org.waldur.agent.sandbox.waldur.WaldurOffering;

/**
 * The site agent file the order system tests give the jar: one offering with order processing over MQTT (TLS
 * WebSocket), every account prefixed so a test's accounts can be told apart and removed, cpu and mem components.
 */
final class OrderSiteConfig {

    private OrderSiteConfig() {
    }

    static String yaml(String name, FakeWaldur waldur, WaldurOffering offering, String brokerUrl, String prefix, String slurmBinPath) {
        return """
                offerings:
                  - name: "%s"
                    waldur_api_url: "%s"
                    waldur_api_token: "%s"
                    waldur_offering_uuid: "%s"
                    backend_type: slurm
                    order_processing_backend: slurm
                    mqtt_enabled: true
                    websocket_use_tls: true
                    mqtt_broker_url: "%s"
                    backend_settings:
                      default_account: root
                      customer_prefix: "%s"
                      project_prefix: "%s"
                      allocation_prefix: "%s"
                      slurm_bin_path: "%s"
                    backend_components:
                      cpu: {measured_unit: k-Hours, unit_factor: 60000, accounting_type: limit, label: CPU}
                      mem: {measured_unit: gb-Hours, unit_factor: 61440, accounting_type: limit, label: RAM}
                """.formatted(name, waldur.apiUrl(), waldur.token(), offering.uuid(), brokerUrl, prefix, prefix, prefix, slurmBinPath);
    }
}
