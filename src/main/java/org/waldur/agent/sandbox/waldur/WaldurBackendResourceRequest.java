package org.waldur.agent.sandbox.waldur;

import java.time.Instant;
import java.util.List;

/**
 * A user's request to import backend resources of an offering ({@code BackendResourceReq},
 * protocol §5.10); add with {@link FakeWaldur#addBackendResourceRequest(WaldurOffering)}.
 *
 * <p>States: {@code Sent} → ({@code start_processing}) {@code Processing} → ({@code set_done})
 * {@code Done}, or ({@code set_erred}, from {@code Sent} or {@code Processing}) {@code Erred}.
 *
 * @param uuid 32-char hex
 * @param offeringUuid the offering
 * @param state one of {@link #STATES}
 * @param started set by {@code start_processing}, null before
 * @param finished set by {@code set_done}/{@code set_erred}, null before
 * @param errorMessage set by {@code set_erred}
 * @param errorTraceback set by {@code set_erred}
 * @param created creation time
 * @param modified last change
 */
public record WaldurBackendResourceRequest(String uuid, String offeringUuid, String state, Instant started,
        Instant finished, String errorMessage, String errorTraceback, Instant created, Instant modified) {

    /** The schema's {@code BackendResourceReqStateEnum}. */
    public static final List<String> STATES = List.of("Sent", "Processing", "Done", "Erred");
}
