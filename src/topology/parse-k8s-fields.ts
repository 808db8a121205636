/**
 * Valid Kubernetes fields podnet does not model. A manifest may carry them (kubectl output
 * does) and they are ignored; any other unknown field is an error, so a typo such as
 * `hostNetwrok` never silently changes what is emulated. Lists follow the Kubernetes 1.33 API.
 */

export const OBJECT_META_IGNORED = [
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionGracePeriodSeconds',
  'ownerReferences',
  'finalizers',
  'managedFields',
  'generateName',
  'selfLink',
  'clusterName',
];

export const POD_SPEC_IGNORED = [
  'initContainers',
  'ephemeralContainers',
  'volumes',
  'restartPolicy',
  'terminationGracePeriodSeconds',
  'activeDeadlineSeconds',
  'serviceAccountName',
  'serviceAccount',
  'automountServiceAccountToken',
  'hostPID',
  'hostIPC',
  'hostUsers',
  'shareProcessNamespace',
  'securityContext',
  'imagePullSecrets',
  'affinity',
  'schedulerName',
  'tolerations',
  'hostAliases',
  'priorityClassName',
  'priority',
  'readinessGates',
  'runtimeClassName',
  'enableServiceLinks',
  'preemptionPolicy',
  'overhead',
  'topologySpreadConstraints',
  'setHostnameAsFQDN',
  'os',
  'schedulingGates',
  'resourceClaims',
  'resources',
];

export const CONTAINER_IGNORED = [
  'image',
  'command',
  'args',
  'workingDir',
  'envFrom',
  'env',
  'resources',
  'resizePolicy',
  'restartPolicy',
  'volumeMounts',
  'volumeDevices',
  'livenessProbe',
  'readinessProbe',
  'startupProbe',
  'lifecycle',
  'terminationMessagePath',
  'terminationMessagePolicy',
  'imagePullPolicy',
  'securityContext',
  'stdin',
  'stdinOnce',
  'tty',
];

export const POD_STATUS_IGNORED = [
  'hostIPs',
  'startTime',
  'containerStatuses',
  'initContainerStatuses',
  'ephemeralContainerStatuses',
  'qosClass',
  'message',
  'reason',
  'nominatedNodeName',
  'resize',
  'resourceClaimStatuses',
  'observedGeneration',
];

export const SERVICE_SPEC_IGNORED = [
  'clusterIPs',
  'loadBalancerIP',
  'ipFamilies',
  'ipFamilyPolicy',
  'allocateLoadBalancerNodePorts',
  'loadBalancerClass',
  'trafficDistribution',
];

export const DEPLOYMENT_SPEC_IGNORED = ['strategy', 'minReadySeconds', 'revisionHistoryLimit', 'paused', 'progressDeadlineSeconds'];

export const STATEFULSET_SPEC_IGNORED = [
  'volumeClaimTemplates',
  'podManagementPolicy',
  'updateStrategy',
  'revisionHistoryLimit',
  'minReadySeconds',
  'persistentVolumeClaimRetentionPolicy',
  'ordinals',
];

export const NODE_SPEC_IGNORED = ['providerID', 'taints', 'configSource', 'externalID', 'podCIDRs'];
export const NODE_STATUS_IGNORED = [
  'capacity',
  'allocatable',
  'phase',
  'conditions',
  'daemonEndpoints',
  'nodeInfo',
  'images',
  'volumesInUse',
  'volumesAttached',
  'config',
  'runtimeHandlers',
  'features',
];

/**
 * Kinds a `kubectl get -o yaml` dump carries that podnet skips without complaint: they do not
 * change the data path (or, like ReplicaSet and DaemonSet, their pods appear in the dump).
 */
export const IGNORED_KINDS = [
  'ConfigMap',
  'Secret',
  'ServiceAccount',
  'Endpoints',
  'ReplicaSet',
  'DaemonSet',
  'Job',
  'CronJob',
  'ControllerRevision',
  'Event',
  'Lease',
  'Role',
  'RoleBinding',
  'ClusterRole',
  'ClusterRoleBinding',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'StorageClass',
  'PodDisruptionBudget',
  'HorizontalPodAutoscaler',
  'PriorityClass',
  'LimitRange',
  'ResourceQuota',
  'Ingress',
  'IngressClass',
  'CustomResourceDefinition',
];
