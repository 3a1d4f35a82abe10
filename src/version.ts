/** The Kubernetes version kplane is wire-compatible with (the gcloud kubectl dispatcher picks its client by the minor). */
export const kubernetesVersion = { major: '1', minor: '32', gitVersion: 'v1.32.0-kplane' };
