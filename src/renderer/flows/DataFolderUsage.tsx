/** One line under the sidebar: how much disk the data folder takes, and how much retention freed but the database still holds. */
import { useEffect, useState } from 'react';
import type { DataFolderInfo } from '../../shared/api';
import { formatBytes } from '../../shared/limits';
import { engine, isConnected } from '../engine-client';
import { useSession } from '../stores/session-store';

const REFRESH_MS = 60_000;
/** While the disk is full the line is a warning: refreshed often, so it goes away soon after space returns. */
const PROBLEM_REFRESH_MS = 5_000;

export function DataFolderUsage() {
  const connection = useSession((s) => s.connection);
  const [info, setInfo] = useState<DataFolderInfo | null>(null);
  useEffect(() => {
    if (connection !== 'connected') return;
    let live = true;
    const load = () => {
      if (!isConnected()) return;
      engine()
        .getDataFolderInfo()
        .then((i) => live && setInfo(i))
        .catch(() => {});
    };
    load();
    const timer = window.setInterval(load, info?.problem ? PROBLEM_REFRESH_MS : REFRESH_MS);
    return () => {
      live = false;
      window.clearInterval(timer);
    };
  }, [connection, info?.problem]);
  if (!info) return null;
  const reclaimable = info.reclaimableBytes > 0 ? ` · ${formatBytes(info.reclaimableBytes)} reclaimable` : '';
  return (
    <div
      className="data-folder-usage"
      data-testid="data-folder-usage"
      title={`${info.path}\nDatabase ${formatBytes(info.databaseBytes)}${reclaimable ? `; ${formatBytes(info.reclaimableBytes)} freed by retention, returned over time (or now: millrace maintenance --compact)` : ''}`}
    >
      Data folder: {formatBytes(info.bytes)}
      {reclaimable}
      {info.problem && (
        <div className="data-folder-problem" role="alert">
          {info.problem}
        </div>
      )}
    </div>
  );
}
