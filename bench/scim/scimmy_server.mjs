// npm scimmy + scimmy-routers on express with in-memory storage (what its docs show).
// usage: node scimmy_server.mjs PORT TOKEN
import express from "express";
import SCIMMY from "scimmy";
import SCIMMYRouters from "scimmy-routers";

const [port, token] = [Number(process.argv[2]), process.argv[3]];
let seq = 0;
const notFound = (id) => new SCIMMY.Types.Error(404, null, `Resource ${id} not found`);
const plain = (data) => JSON.parse(JSON.stringify(data));

function handlers(store) {
    return {
        ingress: async (resource, data) => {
            const now = new Date().toISOString();
            if (resource.id) {
                const old = store.get(resource.id);
                if (!old) throw notFound(resource.id);
                const next = {...plain(data), id: resource.id, meta: {created: old.meta.created, lastModified: now}};
                store.set(resource.id, next);
                return next;
            }
            const id = String(++seq);
            const created = {...plain(data), id, meta: {created: now, lastModified: now}};
            store.set(id, created);
            return created;
        },
        egress: async (resource) => {
            if (resource.id) {
                const found = store.get(resource.id);
                if (!found) throw notFound(resource.id);
                return found;
            }
            const all = [...store.values()];
            return resource.filter ? resource.filter.match(all) : all;
        },
        degress: async (resource) => {
            if (!store.delete(resource.id)) throw notFound(resource.id);
        },
    };
}

for (const [type, store] of [[SCIMMY.Resources.User, new Map()], [SCIMMY.Resources.Group, new Map()]]) {
    const h = handlers(store);
    SCIMMY.Resources.declare(type).ingress(h.ingress).egress(h.egress).degress(h.degress);
}

const app = express();
app.use("/scim/v2", new SCIMMYRouters({
    type: "bearer",
    docUri: "https://example.invalid/bench",
    handler: (req) => {
        if (req.header("Authorization") !== `Bearer ${token}`) throw new Error("Authorization not detected!");
        return "bench";
    },
}));
app.listen(port, "127.0.0.1", () => console.log(`scimmy on ${port}`));
