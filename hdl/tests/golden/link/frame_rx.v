

module t_frame_rx(clock,reset,tok_data,tok_end,tok_bad,tok_valid,tok_ready,buf_addr,buf_data,buf_we,frame_valid,seq,code,len,done,ev_ok,ev_crc,ev_framing,ev_overrun);
    
    // Module arguments
    input wire  clock;
    input wire  reset;
    input wire  [7:0] tok_data;
    input wire  tok_end;
    input wire  tok_bad;
    input wire  tok_valid;
    output reg  tok_ready;
    output reg  [12:0] buf_addr;
    output reg  [7:0] buf_data;
    output reg  buf_we;
    output reg  frame_valid;
    output reg  [7:0] seq;
    output reg  [7:0] code;
    output reg  [15:0] len;
    input wire  done;
    output reg  ev_ok;
    output reg  ev_crc;
    output reg  ev_framing;
    output reg  ev_overrun;
    
    // Constant declarations
    localparam  capacity = 16'h18;
    localparam  max_data = 16'h1000;
    localparam  residue = 32'hdebb20e3;
    localparam  ones = 32'hffffffff;
    
    // Stub signals
    reg  [31:0] crc$crc_in;
    reg  [7:0] crc$data;
    wire  [31:0] crc$crc_out;
    reg  [31:0] crc_reg$d;
    wire  [31:0] crc_reg$q;
    reg  crc_reg$clock;
    reg  [15:0] count$d;
    wire  [15:0] count$q;
    reg  count$clock;
    reg  [31:0] delay$d;
    wire  [31:0] delay$q;
    reg  delay$clock;
    reg  [7:0] seq_r$d;
    wire  [7:0] seq_r$q;
    reg  seq_r$clock;
    reg  [7:0] code_r$d;
    wire  [7:0] code_r$q;
    reg  code_r$clock;
    reg  [15:0] len_r$d;
    wire  [15:0] len_r$q;
    reg  len_r$clock;
    reg  overflow$d;
    wire  overflow$q;
    reg  overflow$clock;
    reg  holding$d;
    wire  holding$q;
    reg  holding$clock;
    reg  ok$d;
    wire  ok$q;
    reg  ok$clock;
    reg  crc_err$d;
    wire  crc_err$q;
    reg  crc_err$clock;
    reg  framing$d;
    wire  framing$q;
    reg  framing$clock;
    reg  overrun$d;
    wire  overrun$q;
    reg  overrun$clock;
    
    // Local signals
    reg  take;
    reg  [15:0] index;
    
    // Sub module instances
    t_frame_rx$crc crc(
        .crc_in(crc$crc_in),
        .data(crc$data),
        .crc_out(crc$crc_out)
    );
    t_frame_rx$crc_reg crc_reg(
        .d(crc_reg$d),
        .q(crc_reg$q),
        .clock(crc_reg$clock)
    );
    t_frame_rx$count count(
        .d(count$d),
        .q(count$q),
        .clock(count$clock)
    );
    t_frame_rx$delay delay(
        .d(delay$d),
        .q(delay$q),
        .clock(delay$clock)
    );
    t_frame_rx$seq_r seq_r(
        .d(seq_r$d),
        .q(seq_r$q),
        .clock(seq_r$clock)
    );
    t_frame_rx$code_r code_r(
        .d(code_r$d),
        .q(code_r$q),
        .clock(code_r$clock)
    );
    t_frame_rx$len_r len_r(
        .d(len_r$d),
        .q(len_r$q),
        .clock(len_r$clock)
    );
    t_frame_rx$overflow overflow(
        .d(overflow$d),
        .q(overflow$q),
        .clock(overflow$clock)
    );
    t_frame_rx$holding holding(
        .d(holding$d),
        .q(holding$q),
        .clock(holding$clock)
    );
    t_frame_rx$ok ok(
        .d(ok$d),
        .q(ok$q),
        .clock(ok$clock)
    );
    t_frame_rx$crc_err crc_err(
        .d(crc_err$d),
        .q(crc_err$q),
        .clock(crc_err$clock)
    );
    t_frame_rx$framing framing(
        .d(framing$d),
        .q(framing$q),
        .clock(framing$clock)
    );
    t_frame_rx$overrun overrun(
        .d(overrun$d),
        .q(overrun$q),
        .clock(overrun$clock)
    );
    
    // Update code
    always @(*) begin
        crc_reg$clock = clock;
        count$clock = clock;
        delay$clock = clock;
        seq_r$clock = clock;
        code_r$clock = clock;
        len_r$clock = clock;
        overflow$clock = clock;
        holding$clock = clock;
        ok$clock = clock;
        crc_err$clock = clock;
        framing$clock = clock;
        overrun$clock = clock;
        crc_reg$d = crc_reg$q;
        count$d = count$q;
        delay$d = delay$q;
        seq_r$d = seq_r$q;
        code_r$d = code_r$q;
        len_r$d = len_r$q;
        overflow$d = overflow$q;
        holding$d = holding$q;
        ok$d = ok$q;
        crc_err$d = crc_err$q;
        framing$d = framing$q;
        overrun$d = overrun$q;
        crc$crc_in = crc_reg$q;
        crc$data = tok_data;
        tok_ready = ~holding$q;
        take = tok_valid & ~holding$q;
        frame_valid = holding$q;
        seq = seq_r$q;
        code = code_r$q;
        len = len_r$q;
        ev_ok = ok$q;
        ev_crc = crc_err$q;
        ev_framing = framing$q;
        ev_overrun = overrun$q;
        ok$d = 1'b0;
        crc_err$d = 1'b0;
        framing$d = 1'b0;
        overrun$d = 1'b0;
        index = count$q - 32'h8;
        buf_addr = ((index) & 13'h1fff);
        buf_data = ((delay$q) & 8'hff);
        buf_we = 1'b0;
        if (take) begin
            if (tok_end) begin
                count$d = 32'h0;
                crc_reg$d = ones;
                overflow$d = 1'b0;
                if (tok_bad) begin
                    framing$d = 1'b1;
                end
                else if (count$q == 32'h0) begin
                    framing$d = 1'b0;
                end
                else if (overflow$q) begin
                    overrun$d = 1'b1;
                end
                else if ((count$q < 32'h8) | (len_r$q > max_data) | (index != len_r$q)) begin
                    framing$d = 1'b1;
                end
                else if (crc_reg$q != residue) begin
                    crc_err$d = 1'b1;
                end
                else begin
                    ok$d = 1'b1;
                    holding$d = 1'b1;
                end
            end
            else begin
                crc_reg$d = crc$crc_out;
                if (count$q != 32'hffff) begin
                    count$d = count$q + 32'h1;
                end
                else begin
                    overflow$d = 1'b1;
                end
                if (count$q == 32'h0) begin
                    seq_r$d = tok_data;
                end
                if (count$q == 32'h1) begin
                    code_r$d = tok_data;
                end
                if (count$q == 32'h2) begin
                    len_r$d = ((tok_data) & 16'hffff);
                end
                if (count$q == 32'h3) begin
                    len_r$d = len_r$q | (((tok_data) & 16'hffff) << 32'h8);
                end
                delay$d = (delay$q >> 32'h8) | (((tok_data) & 32'hffffffff) << 32'h18);
                if (count$q >= 32'h8) begin
                    if (index < capacity) begin
                        buf_we = 1'b1;
                    end
                    else begin
                        overflow$d = 1'b1;
                    end
                end
            end
        end
        if (done) begin
            holding$d = 1'b0;
        end
        if (reset) begin
            count$d = 32'h0;
            crc_reg$d = ones;
            overflow$d = 1'b0;
            holding$d = 1'b0;
            ok$d = 1'b0;
            crc_err$d = 1'b0;
            framing$d = 1'b0;
            overrun$d = 1'b0;
        end
    end
    
endmodule // t_frame_rx


module t_frame_rx$code_r(d,q,clock);
    
    // Module arguments
    input wire  [7:0] d;
    output reg  [7:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 8'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_frame_rx$code_r


module t_frame_rx$count(d,q,clock);
    
    // Module arguments
    input wire  [15:0] d;
    output reg  [15:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 16'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_frame_rx$count


module t_frame_rx$crc(crc_in,data,crc_out);
    
    // Module arguments
    input wire  [31:0] crc_in;
    input wire  [7:0] data;
    output reg  [31:0] crc_out;
    
    // Constant declarations
    localparam  poly = 32'hedb88320;
    
    // Local signals
    reg  [31:0] s0;
    reg  [31:0] s1;
    reg  [31:0] s2;
    reg  [31:0] s3;
    reg  [31:0] s4;
    reg  [31:0] s5;
    reg  [31:0] s6;
    reg  [31:0] s7;
    
    // Update code
    always @(*) begin
        s0 = crc_in ^ ((data) & 32'hffffffff);
        s1 = s0 >> 32'h1;
        if (s0[32'h0]) begin
            s1 = (s0 >> 32'h1) ^ poly;
        end
        s2 = s1 >> 32'h1;
        if (s1[32'h0]) begin
            s2 = (s1 >> 32'h1) ^ poly;
        end
        s3 = s2 >> 32'h1;
        if (s2[32'h0]) begin
            s3 = (s2 >> 32'h1) ^ poly;
        end
        s4 = s3 >> 32'h1;
        if (s3[32'h0]) begin
            s4 = (s3 >> 32'h1) ^ poly;
        end
        s5 = s4 >> 32'h1;
        if (s4[32'h0]) begin
            s5 = (s4 >> 32'h1) ^ poly;
        end
        s6 = s5 >> 32'h1;
        if (s5[32'h0]) begin
            s6 = (s5 >> 32'h1) ^ poly;
        end
        s7 = s6 >> 32'h1;
        if (s6[32'h0]) begin
            s7 = (s6 >> 32'h1) ^ poly;
        end
        crc_out = s7 >> 32'h1;
        if (s7[32'h0]) begin
            crc_out = (s7 >> 32'h1) ^ poly;
        end
    end
    
endmodule // t_frame_rx$crc


module t_frame_rx$crc_err(d,q,clock);
    
    // Module arguments
    input wire  d;
    output reg  q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 1'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_frame_rx$crc_err


module t_frame_rx$crc_reg(d,q,clock);
    
    // Module arguments
    input wire  [31:0] d;
    output reg  [31:0] q;
    input wire  clock;
    
    // Constant declarations
    localparam  init = 32'hffffffff;
    
    // Stub signals
    reg  [31:0] dff$d;
    wire  [31:0] dff$q;
    reg  dff$clock;
    
    // Sub module instances
    t_frame_rx$crc_reg$dff dff(
        .d(dff$d),
        .q(dff$q),
        .clock(dff$clock)
    );
    
    // Update code
    always @(*) begin
        dff$clock = clock;
        q = dff$q ^ init;
        dff$d = d ^ init;
    end
    
endmodule // t_frame_rx$crc_reg


module t_frame_rx$crc_reg$dff(d,q,clock);
    
    // Module arguments
    input wire  [31:0] d;
    output reg  [31:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 32'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_frame_rx$crc_reg$dff


module t_frame_rx$delay(d,q,clock);
    
    // Module arguments
    input wire  [31:0] d;
    output reg  [31:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 32'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_frame_rx$delay


module t_frame_rx$framing(d,q,clock);
    
    // Module arguments
    input wire  d;
    output reg  q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 1'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_frame_rx$framing


module t_frame_rx$holding(d,q,clock);
    
    // Module arguments
    input wire  d;
    output reg  q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 1'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_frame_rx$holding


module t_frame_rx$len_r(d,q,clock);
    
    // Module arguments
    input wire  [15:0] d;
    output reg  [15:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 16'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_frame_rx$len_r


module t_frame_rx$ok(d,q,clock);
    
    // Module arguments
    input wire  d;
    output reg  q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 1'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_frame_rx$ok


module t_frame_rx$overflow(d,q,clock);
    
    // Module arguments
    input wire  d;
    output reg  q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 1'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_frame_rx$overflow


module t_frame_rx$overrun(d,q,clock);
    
    // Module arguments
    input wire  d;
    output reg  q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 1'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_frame_rx$overrun


module t_frame_rx$seq_r(d,q,clock);
    
    // Module arguments
    input wire  [7:0] d;
    output reg  [7:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 8'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_frame_rx$seq_r
