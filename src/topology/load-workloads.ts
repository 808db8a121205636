import { fnv32 } from '../lib/hash.js';
import { kubeSuffix, templateHash } from '../cluster/names.js';
import type { RawPod, RawWorkload } from './parse-manifests.js';

/**
 * Deployments and StatefulSets become the pods their controllers would create, named the way
 * kubectl shows them:
 *
 *   Deployment web, 3 replicas  ->  web-7d4b9c8f5-x7k2q, web-7d4b9c8f5-m2p9z, ...
 *                                   (<deployment>-<pod-template-hash>-<5 chars>)
 *   StatefulSet db, 2 replicas  ->  db-0, db-1 (hostname db-0, subdomain = serviceName)
 *
 * The hash and suffixes are derived from names and the template, so they never change between
 * runs.
 */
export function expandWorkload(w: RawWorkload): RawPod[] {
  const hash = templateHash(`${w.namespace}/${w.name}/${w.templateText}`);
  const pods: RawPod[] = [];
  if (w.kind === 'Deployment') {
    const rs = `${w.name}-${hash}`;
    const names = new Set<string>();
    for (let i = 0; i < w.replicas; i++) {
      let name = '';
      for (let attempt = 0; name === '' || names.has(name); attempt++) name = `${rs}-${kubeSuffix(fnv32(`${rs}/${i}/${attempt}`))}`;
      names.add(name);
      pods.push(workloadPod(w, name, { ...w.templateLabels, 'pod-template-hash': hash }, [{ kind: 'ReplicaSet', name: rs }]));
    }
  } else {
    for (let i = 0; i < w.replicas; i++) {
      const name = `${w.name}-${i}`;
      const labels = {
        ...w.templateLabels,
        'apps.kubernetes.io/pod-index': String(i),
        'controller-revision-hash': `${w.name}-${hash}`,
        'statefulset.kubernetes.io/pod-name': name,
      };
      const pod = workloadPod(w, name, labels, [{ kind: 'StatefulSet', name: w.name }]);
      // The StatefulSet controller sets both, whatever the template says.
      pods.push({ ...pod, spec: { ...pod.spec, hostname: name, subdomain: w.serviceName ?? pod.spec.subdomain } });
    }
  }
  return pods;
}

function workloadPod(w: RawWorkload, name: string, labels: Readonly<Record<string, string>>, ownerRefs: RawPod['ownerRefs']): RawPod {
  return {
    what: `${w.kind} ${w.namespace}/${w.name}`,
    specPath: 'spec.template.spec',
    namespace: w.namespace,
    name,
    uid: null,
    labels,
    annotations: w.templateAnnotations,
    spec: w.spec,
    ip: null,
    hostIP: null,
    owner: { kind: w.kind, name: w.name },
    ownerRefs,
    ready: true,
    terminating: false,
    finished: false,
    source: w.source,
  };
}

/**
 * True when the input already holds the workload's pods, as a `kubectl get all -o yaml` dump
 * does (pods owned by the StatefulSet, or by a ReplicaSet `<deployment>-<pod-template-hash>`).
 * Then the workload is not expanded again.
 */
export function podsAlreadyPresent(w: RawWorkload, pods: readonly RawPod[]): boolean {
  return pods.some(
    (p) =>
      p.namespace === w.namespace &&
      p.ownerRefs.some((o) =>
        w.kind === 'StatefulSet'
          ? o.kind === 'StatefulSet' && o.name === w.name
          : o.kind === 'ReplicaSet' && p.labels['pod-template-hash'] !== undefined && o.name === `${w.name}-${p.labels['pod-template-hash']}`,
      ),
  );
}

/** The Deployment a dumped pod belongs to, when its ReplicaSet is `<deployment>-<hash>`. */
export function dumpedPodOwner(p: RawPod): RawPod['owner'] {
  const hash = p.labels['pod-template-hash'];
  const rs = p.ownerRefs.find((o) => o.kind === 'ReplicaSet');
  if (rs && hash !== undefined && rs.name.endsWith(`-${hash}`)) return { kind: 'Deployment', name: rs.name.slice(0, -hash.length - 1) };
  return p.owner;
}
