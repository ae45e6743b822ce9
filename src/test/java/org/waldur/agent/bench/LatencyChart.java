package org.waldur.agent.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/** Cumulative distribution of latency series on a logarithmic millisecond axis, drawn with Java2D (headless). */
final class LatencyChart {

    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0x9467bd)};
    private static final int W = 1100;
    private static final int H = 650;
    private static final int LEFT = 80;
    private static final int RIGHT = 30;
    private static final int TOP = 60;
    private static final int BOTTOM = 70;

    private LatencyChart() {
    }

    static void write(Path png, String title, Map<String, Percentiles> series, double goalMs) throws IOException {
        System.setProperty("java.awt.headless", "true");
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, W, H);

        double lo = Double.MAX_VALUE;
        double hi = goalMs;
        for (Percentiles p : series.values()) {
            if (p.count() > 0) {
                lo = Math.min(lo, p.min());
                hi = Math.max(hi, p.max());
            }
        }
        double minDecade = Math.floor(Math.log10(Math.max(lo, 0.01)));
        double maxDecade = Math.ceil(Math.log10(hi));
        if (maxDecade <= minDecade) {
            maxDecade = minDecade + 1;
        }
        int plotW = W - LEFT - RIGHT;
        int plotH = H - TOP - BOTTOM;
        final double a = minDecade;
        final double b = maxDecade;
        java.util.function.DoubleUnaryOperator x = ms -> LEFT + (Math.log10(Math.max(ms, Math.pow(10, a))) - a) / (b - a) * plotW;
        java.util.function.DoubleUnaryOperator y = frac -> TOP + plotH - frac * plotH;

        // grid and axes
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        g.setStroke(new BasicStroke(1f));
        for (double d = a; d <= b; d++) {
            for (int m = 1; m < 10; m++) {
                double v = Math.pow(10, d) * m;
                if (Math.log10(v) > b + 1e-9) {
                    break;
                }
                int px = (int) x.applyAsDouble(v);
                g.setColor(m == 1 ? new Color(0xbbbbbb) : new Color(0xeeeeee));
                g.drawLine(px, TOP, px, TOP + plotH);
                if (m == 1 || m == 2 || m == 5) {
                    g.setColor(Color.DARK_GRAY);
                    String label = v >= 1 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%s", v);
                    g.drawString(label, px - g.getFontMetrics().stringWidth(label) / 2, TOP + plotH + 18);
                }
            }
        }
        for (int i = 0; i <= 10; i++) {
            int py = (int) y.applyAsDouble(i / 10.0);
            g.setColor(new Color(0xeeeeee));
            g.drawLine(LEFT, py, LEFT + plotW, py);
            g.setColor(Color.DARK_GRAY);
            String label = (i * 10) + " %";
            g.drawString(label, LEFT - 8 - g.getFontMetrics().stringWidth(label), py + 5);
        }
        for (double frac : new double[] {0.5, 0.95, 0.99}) {
            int py = (int) y.applyAsDouble(frac);
            g.setColor(new Color(0xcccccc));
            g.setStroke(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {4f, 4f}, 0f));
            g.drawLine(LEFT, py, LEFT + plotW, py);
            g.setColor(Color.GRAY);
            g.drawString("p" + Math.round(frac * 100), LEFT + plotW - 30, py - 3);
        }
        g.setStroke(new BasicStroke(1.5f));
        g.setColor(Color.BLACK);
        g.drawRect(LEFT, TOP, plotW, plotH);
        g.drawString("milliseconds (log scale)", LEFT + plotW / 2 - 70, H - 25);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString(title, LEFT, 30);

        // goal
        int gx = (int) x.applyAsDouble(goalMs);
        g.setColor(new Color(0xff7f0e));
        g.setStroke(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {8f, 6f}, 0f));
        g.drawLine(gx, TOP, gx, TOP + plotH);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        g.drawString(String.format(Locale.ROOT, "goal p99 <= %.0f ms", goalMs), gx + 5, TOP + 15);

        // series; the legend sits in a white box at the lower right, where the curves have not started yet
        int i = 0;
        int legendY = TOP + plotH - 20 * series.size() - 8;
        g.setColor(Color.WHITE);
        g.fillRect(LEFT + plotW - 590, legendY - 22, 580, 20 * series.size() + 16);
        g.setColor(Color.GRAY);
        g.setStroke(new BasicStroke(1f));
        g.drawRect(LEFT + plotW - 590, legendY - 22, 580, 20 * series.size() + 16);
        int legendX = LEFT + plotW - 590;
        for (Map.Entry<String, Percentiles> e : series.entrySet()) {
            Color c = COLORS[i++ % COLORS.length];
            double[] s = e.getValue().sorted();
            g.setColor(c);
            g.setStroke(new BasicStroke(2.2f));
            int n = s.length;
            int prevX = -1;
            int prevY = (int) y.applyAsDouble(0);
            for (int k = 0; k < n; k++) {
                int px = (int) x.applyAsDouble(s[k]);
                int py = (int) y.applyAsDouble((k + 1) / (double) n);
                if (prevX >= 0) {
                    g.drawLine(prevX, prevY, px, prevY);
                    g.drawLine(px, prevY, px, py);
                }
                prevX = px;
                prevY = py;
            }
            Percentiles p = e.getValue();
            String label = String.format(Locale.ROOT, "%s (n=%d): p50 %.0f, p95 %.0f, p99 %.0f ms", e.getKey(), p.count(),
                    p.at(50), p.at(95), p.at(99));
            g.fillRect(legendX + 10, legendY - 10, 24, 4);
            g.setColor(Color.BLACK);
            g.drawString(label, legendX + 40, legendY - 4);
            legendY += 20;
        }
        g.dispose();
        ImageIO.write(img, "png", png.toFile());
    }

    static Map<String, Percentiles> series(List<String> names, List<Percentiles> values) {
        Map<String, Percentiles> m = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            m.put(names.get(i), values.get(i));
        }
        return m;
    }
}
