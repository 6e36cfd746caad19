package io.flatnesslab.snapshot;

import java.io.IOException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.ErrorResponseException;

/**
 * Sender of a stored snapshot over HTTP in one of two formats: {@code dl4j}, the stored DL4J
 * model file as it is, or {@code safetensors}, converted on the fly for PyTorch.
 */
@Component
public class SnapshotDownloads {

    /** Accepted values of the {@code format} query parameter. */
    public static final List<String> FORMATS = List.of("dl4j", "safetensors");

    private final SnapshotStore snapshots;

    SnapshotDownloads(SnapshotStore snapshots) {
        this.snapshots = snapshots;
    }

    /**
     * Writes snapshot {@code snapshotId} to {@code response}.
     *
     * @param fileStem file name without extension for Content-Disposition
     * @throws ErrorResponseException 400 when {@code format} is not one of {@link #FORMATS}
     */
    public void send(long snapshotId, String format, String fileStem, HttpServletRequest request,
            HttpServletResponse response) throws IOException {
        if (!FORMATS.contains(format)) {
            throw new InvalidParameterException("format", "must be one of " + FORMATS + "; got '" + format + "'");
        }
        SnapshotInfo info = snapshots.find(snapshotId).orElseThrow(() -> new SnapshotNotFoundException(snapshotId));

        response.setContentType(MediaType.APPLICATION_OCTET_STREAM_VALUE);
        if (format.equals("dl4j")) {
            String etag = "\"" + info.sha256() + "\"";
            if (etag.equals(request.getHeader(HttpHeaders.IF_NONE_MATCH))) {
                // The stored file never changes, so a client holding this ETag has the current bytes.
                response.setStatus(HttpServletResponse.SC_NOT_MODIFIED);
                response.setHeader(HttpHeaders.ETAG, etag);
                return;
            }
            response.setContentLengthLong(info.sizeBytes());
            response.setHeader(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"" + fileStem + "-dl4j.zip\"");
            response.setHeader(HttpHeaders.ETAG, etag);
            response.setHeader("Repr-Digest",
                    "sha-256=:" + Base64.getEncoder().encodeToString(HexFormat.of().parseHex(info.sha256())) + ":");
            snapshots.copyTo(snapshotId, response.getOutputStream());
            return;
        }

        MultiLayerNetwork network = snapshots.loadNetwork(snapshotId);
        try {
            response.setContentLengthLong(SafetensorsWriter.contentLength(SafetensorsWriter.layoutOf(network)));
            response.setHeader(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"" + fileStem + ".safetensors\"");
            SafetensorsWriter.write(network, response.getOutputStream());
        } finally {
            network.close();
        }
    }
}
