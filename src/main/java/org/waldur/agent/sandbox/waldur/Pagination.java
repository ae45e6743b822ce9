package org.waldur.agent.sandbox.waldur;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Waldur's list pagination (waldur_core LinkHeaderPagination): {@code page} is 1-based,
 * {@code page_size} defaults to 10 and is capped at 300, the body is a bare JSON array, the total
 * is in {@code X-Result-Count}, and {@code Link} carries {@code first}/{@code prev} (when there is
 * a previous page) and {@code next}/{@code last} (when there is a next page).
 */
final class Pagination {

    static final int DEFAULT_PAGE_SIZE = 10;
    static final int MAX_PAGE_SIZE = 300;

    private Pagination() {
    }

    /**
     * @param items the full, filtered result
     * @param query the request's query parameters (other filters are kept in the links)
     * @param pageUrl absolute URL of the list without query string
     */
    static ApiResponse page(List<? extends JsonNode> items, Map<String, List<String>> query, String pageUrl) {
        int size = pageSize(query);
        int page = intParam(query, "page", 1);
        int count = items.size();
        int pages = Math.max(1, (count + size - 1) / size);
        if (page < 1 || page > pages) {
            throw new ApiError(404, Json.detail("Invalid page."));
        }
        ArrayNode body = Json.array();
        items.subList((page - 1) * size, Math.min(count, page * size)).forEach(body::add);

        List<String> links = new ArrayList<>();
        if (page > 1) {
            links.add(link(pageUrl, query, null, "first"));
            links.add(link(pageUrl, query, page - 1 == 1 ? null : page - 1, "prev"));
        }
        if (page < pages) {
            links.add(link(pageUrl, query, page + 1, "next"));
            links.add(link(pageUrl, query, pages, "last"));
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("X-Result-Count", String.valueOf(count));
        if (!links.isEmpty()) {
            headers.put("Link", String.join(", ", links));
        }
        return ApiResponse.json(200, body, headers);
    }

    /** DRF ignores unusable page sizes and falls back to the default. */
    private static int pageSize(Map<String, List<String>> query) {
        int size = intParam(query, "page_size", DEFAULT_PAGE_SIZE);
        return size < 1 ? DEFAULT_PAGE_SIZE : Math.min(size, MAX_PAGE_SIZE);
    }

    private static int intParam(Map<String, List<String>> query, String name, int fallback) {
        List<String> values = query.get(name);
        if (values == null || values.isEmpty()) {
            return fallback;
        }
        try {
            return Integer.parseInt(values.get(values.size() - 1));
        } catch (NumberFormatException e) {
            if (name.equals("page")) {
                throw new ApiError(404, Json.detail("Invalid page."));
            }
            return fallback;
        }
    }

    /** The request URL with {@code page} replaced (or removed for the first page, as DRF does). */
    private static String link(String pageUrl, Map<String, List<String>> query, Integer page, String rel) {
        StringBuilder url = new StringBuilder(pageUrl);
        char sep = '?';
        boolean pageWritten = false;
        for (Map.Entry<String, List<String>> e : query.entrySet()) {
            if (e.getKey().equals("page")) {
                if (page != null) {
                    url.append(sep).append("page=").append(page);
                    sep = '&';
                }
                pageWritten = true;
                continue;
            }
            for (String v : e.getValue()) {
                url.append(sep).append(encode(e.getKey())).append('=').append(encode(v));
                sep = '&';
            }
        }
        if (!pageWritten && page != null) {
            url.append(sep).append("page=").append(page);
        }
        return "<" + url + ">; rel=\"" + rel + "\"";
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
