import type { Application } from "../../contract/application.js";
import type { KubeObject } from "../kube/object.js";

/** One application as the cluster's deploy branch holds it at one commit. */
export type DesiredApplication =
  | {
      state: "present";
      name: string;
      /** The deploy-branch commit these manifests were read at. */
      revision: string;
      application: Application;
      /** `manifests.yaml`, in the hub's stable order; may be empty (the sync refuses to prune then). */
      manifests: KubeObject[];
    }
  | {
      /** A tombstone (`deleted.yaml`): the hub removed the application on purpose. */
      state: "deleted";
      name: string;
      revision: string;
      /** Finalizers of the Application when it was removed; `resources-finalizer.argocd.argoproj.io` cascades. */
      finalizers: string[];
    };
