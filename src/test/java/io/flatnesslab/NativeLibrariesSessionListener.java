package io.flatnesslab;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Selects ND4J's native build before any test loads ND4J, as {@code main} does for the
 * application, so that tests run on the build users get.
 */
public class NativeLibrariesSessionListener implements LauncherSessionListener {

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        NativeLibraries.select();
    }
}
