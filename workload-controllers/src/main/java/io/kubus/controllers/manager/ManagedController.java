package io.kubus.controllers.manager;

import io.kubus.client.controller.Controller;

/**
 * A controller bean of this service: it wires its {@link Controller} to the shared informers in its constructor; the
 * {@link ControllerManager} activates it while this replica leads.
 */
public interface ManagedController {
    Controller controller();

    /** Called before activation when this replica takes the lead: drop what a former term expected. */
    default void onStartedLeading() {
    }
}
